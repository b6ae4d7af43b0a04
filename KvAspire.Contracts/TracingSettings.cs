namespace KvAspire.Contracts;

/// <summary>
/// The root span budget every service applies (the service defaults' <c>RootSpanBudget</c>), and which the AppHost sets
/// on each service it starts: Aspire gives every project <c>OTEL_TRACES_SAMPLER=always_on</c>, which the budget must
/// outrank there, so the AppHost names it explicitly.
/// </summary>
public static class TracingSettings
{
    /// <summary>Root spans a process records per second per span name; a span under a sampled parent is recorded regardless.</summary>
    public const string RootSpansPerSecond = "Tracing:RootSpansPerSecond";

    public const double DefaultRootSpansPerSecond = 20;
}
