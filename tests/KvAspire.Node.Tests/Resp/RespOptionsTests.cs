using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;

namespace KvAspire.Node.Tests.Resp;

public sealed class RespOptionsTests
{
    [Fact]
    public void Defaults_AreValid() => new RespOptions().Validate(new LimitsOptions());

    [Theory]
    [InlineData("Resp:MaxMultibulkLength", nameof(RespOptions.MaxMultibulkLength), 0)]
    [InlineData("Resp:MaxInlineBytes", nameof(RespOptions.MaxInlineBytes), 10)]
    [InlineData("Resp:MaxQueryBufferBytes", nameof(RespOptions.MaxQueryBufferBytes), 1024)]
    [InlineData("Resp:MaxClients", nameof(RespOptions.MaxClients), 0)]
    public void OutOfRange_FailsNamingTheSetting(string setting, string property, int value)
    {
        var options = new RespOptions();
        typeof(RespOptions).GetProperty(property)!.SetValue(options, value);

        var error = Assert.Throws<OptionsValidationError>(() => options.Validate(new LimitsOptions()));

        Assert.Contains(setting, error.Message);
    }
}
