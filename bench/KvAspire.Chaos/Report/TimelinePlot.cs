using KvAspire.Chaos.Load;
using ScottPlot;

namespace KvAspire.Chaos.Report;

/// <summary>The run's timeline as a PNG: acknowledged operations and errors per second, with each fault's interval
/// shaded in its kind's colour from its start until it was lifted, and labelled with its number; and each membership
/// change as a vertical line where it was answered, labelled +node (added), ^node (promoted) or -node (removed), solid
/// black when accepted, dashed grey when refused, dashed orange when its outcome is unknown.</summary>
public static class TimelinePlot
{
    private const int Width = 1400;
    private const int Height = 520;

    public static void Draw(ChaosReport report, IReadOnlyList<ClientOp> ops, string png)
    {
        var seconds = (int)Math.Ceiling(report.Seconds);
        var ok = new double[seconds + 1];
        var errors = new double[seconds + 1];
        foreach (var op in ops.Where(o => o.Operation.Client > 0))
        {
            var second = Math.Min(seconds, (int)(op.Completed / 1_000_000));
            (op.Result == OpResult.Ok ? ok : errors)[second]++;
        }
        var x = Enumerable.Range(0, seconds + 1).Select(s => (double)s).ToArray();

        var plot = new Plot();
        var top = Math.Max(1, ok.Concat(errors).Max()) * 1.25;
        // One colour per kind, named once in the legend; each interval is labelled with its number only, in three
        // staggered rows, so a long run's labels stay readable.
        var palette = new ScottPlot.Palettes.Category10();
        var named = new HashSet<Faults.FaultKind>();
        foreach (var fault in report.Faults)
        {
            var span = plot.Add.HorizontalSpan(fault.Start / 1e6, Math.Max(fault.Lifted, fault.Start + 200_000) / 1e6);
            span.FillStyle.Color = palette.GetColor((int)fault.Fault.Kind).WithAlpha(fault.Injected ? 0.3 : 0.08);
            span.LineStyle.Width = 0;
            if (named.Add(fault.Fault.Kind))
                span.LegendText = fault.Fault.Kind.ToString();
            var label = plot.Add.Text(fault.Fault.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                fault.Start / 1e6, top * (0.99 - 0.04 * (fault.Fault.Number % 3)));
            label.LabelFontSize = 9;
        }
        // Labelled in four staggered rows near the bottom: changes come in quick runs (an add, then its promotion).
        for (var i = 0; i < report.Changes.Count; i++)
        {
            var change = report.Changes[i];
            var colour = change.Outcome switch
            {
                Membership.ChangeOutcome.Accepted => Colors.Black,
                Membership.ChangeOutcome.Refused => Colors.Gray,
                _ => Colors.Orange,
            };
            var line = plot.Add.VerticalLine(change.End / 1e6, 1, colour,
                change.Outcome == Membership.ChangeOutcome.Accepted ? LinePattern.Solid : LinePattern.Dashed);
            if (i == 0)
                line.LegendText = "membership change";
            var label = plot.Add.Text(change.Label, change.End / 1e6, top * (0.03 + 0.04 * (i % 4)));
            label.LabelFontSize = 8;
            label.LabelFontColor = colour;
        }
        var okLine = plot.Add.ScatterLine(x, ok);
        okLine.LegendText = "acknowledged ops/s";
        okLine.LineWidth = 2;
        var errorLine = plot.Add.ScatterLine(x, errors);
        errorLine.LegendText = "failed or indeterminate ops/s";
        errorLine.LineWidth = 2;
        errorLine.Color = Colors.Red;
        plot.Axes.SetLimitsY(0, top);
        plot.Axes.Bottom.Label.Text = "seconds into the run (shaded: faults, start to lift, pale if not injected; "
            + "lines: membership changes answered, black accepted, grey refused, orange unknown)";
        plot.Axes.Bottom.Label.FontSize = 11;
        plot.Axes.Left.Label.Text = "operations per second";
        var o = report.Options;
        plot.Title($"chaos run: seed {o.Seed}, {o.Clients} clients, timing {o.Timing}, acknowledge {o.Acknowledge}, " +
            (report.Passed ? "PASS" : "FAIL"));
        plot.ShowLegend(Edge.Right);
        plot.SavePng(png, Width, Height);
    }
}
