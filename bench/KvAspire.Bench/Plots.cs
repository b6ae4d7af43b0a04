using System.Globalization;
using ScottPlot;

namespace KvAspire.Bench;

/// <summary>The PNGs of bench/RESULTS.md, drawn from the CSV files the runs write.</summary>
public static class Plots
{
    private const int Width = 900;
    private const int Height = 500;
    /// <summary>The histograms' resolution is 1 µs; a 0 ms row is drawn at 10 µs, the bottom of the log axis.</summary>
    private const double MinMs = 0.01;

    /// <summary>
    /// Latency by percentile, one line per "label=file.csv". Both axes are logarithmic by hand
    /// (x = -log10(1 - p), y = log10(ms)) so the tail and systems 100x apart stay readable on one plot.
    /// </summary>
    public static void Latency(IEnumerable<(string Label, string Csv)> series, string title, string png)
    {
        var plot = new Plot();
        foreach (var (label, csv) in series)
        {
            var rows = ReadCsv(csv).Where(r => r[0] < 100).ToList();
            var line = plot.Add.ScatterLine(rows.Select(r => -Math.Log10(1 - r[0] / 100)).ToArray(), rows.Select(r => Math.Log10(Math.Max(r[1], MinMs))).ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
        }
        plot.Axes.Left.SetTicks([-2, -1, 0, 1, 2, 3, 4], ["0.01", "0.1", "1", "10", "100", "1,000", "10,000"]);
        double[] nines = [0, 1, 2, 3, 4];
        plot.Axes.Bottom.SetTicks(nines, ["0%", "90%", "99%", "99.9%", "99.99%"]);
        plot.Axes.Bottom.Label.Text = "percentile";
        plot.Axes.Left.Label.Text = "latency (ms)";
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(png, Width, Height);
    }

    /// <summary>Successful writes per second around a kill at t = 0, one line per "label=file.csv".</summary>
    public static void Throughput(IEnumerable<(string Label, string Csv)> series, string title, string png)
    {
        var plot = new Plot();
        foreach (var (label, csv) in series)
        {
            var rows = ReadCsv(csv);
            var line = plot.Add.ScatterLine(rows.Select(r => r[0]).ToArray(), rows.Select(r => r[1]).ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
        }
        var kill = plot.Add.VerticalLine(0);
        kill.LabelText = "kill -9 primary";
        kill.LinePattern = LinePattern.Dashed;
        plot.Axes.Bottom.Label.Text = "seconds since the kill";
        plot.Axes.Left.Label.Text = "successful PUT/s via the gateway";
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(png, Width, Height);
    }

    /// <summary>"label=path;label2=path2" as given on the command line.</summary>
    public static IEnumerable<(string Label, string Csv)> ParseSeries(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('=', 2)).Select(p => (p[0], p[1]));

    private static List<double[]> ReadCsv(string path) =>
        [.. File.ReadLines(path).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
}
