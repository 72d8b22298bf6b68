using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ChatApp.Cli.Simulate;

/// <summary>
/// <c>--html FILE</c>: one self-contained page (no external assets; charts are inline SVG drawn here) with delivery
/// latency p50/p99 and throughput (acks/s, deliveries/s) per second of the run, step boundaries marked, and each
/// step's figures in a table. The series are embedded as JSON (<c>script#chatapp-series</c>) for anyone who wants the numbers.
/// </summary>
public static class HtmlReport
{
    private const int Width = 900;
    private const int Height = 260;
    private const int Left = 60;
    private const int Right = 20;
    private const int Top = 20;
    private const int Bottom = 40;
    private static readonly int[] NiceSteps = [1, 2, 5, 10];

    public static string Render(IReadOnlyList<SimulationReport> steps, IReadOnlyList<TimelinePoint> points)
    {
        var first = steps[0];
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ChatApp simulation</title>\n<style>")
            .Append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}svg{background:#fafafa;border:1px solid #ddd}")
            .Append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}")
            .Append(".p50,.acks{stroke:#1f77b4}.p99,.deliveries{stroke:#d62728}polyline{fill:none;stroke-width:1.5}")
            .Append(".axis{stroke:#999}.step{stroke:#999;stroke-dasharray:4 4}text{font-size:11px;fill:#444}</style></head><body>\n");
        html.Append("<h1>ChatApp simulation</h1>\n<p>").Append(Encode(first.Server)).Append(": ").Append(first.Settings.Users).Append(" users, ")
            .Append(first.Settings.Rooms).Append(" rooms, ").Append(Encode(first.Settings.Transport)).Append(" + ").Append(Encode(first.Settings.Protocol))
            .Append("; result ").Append(steps.All(s => s.Passed) ? "PASS" : "FAIL").Append(". Seconds count from the start of the first step's sending (warm-up included).</p>\n");

        html.Append("<table><tr><th>step</th><th>msgs/user/s</th><th>acked</th><th>acked/s</th><th>deliveries/s</th><th>p50 ms</th><th>p99 ms</th><th>missing</th></tr>\n");
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            html.Append("<tr><td>").Append(i + 1).Append("</td><td>").Append(F(s.Settings.Rate)).Append("</td><td>").Append(s.Messages?.Acknowledged ?? 0)
                .Append("</td><td>").Append(F(s.Throughput?.MessagesPerSecond)).Append("</td><td>").Append(F(s.Throughput?.DeliveriesPerSecond))
                .Append("</td><td>").Append(F(s.Latency?.P50)).Append("</td><td>").Append(F(s.Latency?.P99)).Append("</td><td>").Append(s.Deliveries?.Missing ?? 0).Append("</td></tr>\n");
        }

        html.Append("</table>\n<h2>Delivery latency per second (ms): <span style=\"color:#1f77b4\">p50</span>, <span style=\"color:#d62728\">p99</span></h2>\n");
        Chart(html, points, [("p50", p => p.LatencyP50), ("p99", p => p.LatencyP99)]);
        html.Append("<h2>Throughput per second: <span style=\"color:#1f77b4\">sends acknowledged</span>, <span style=\"color:#d62728\">deliveries</span></h2>\n");
        Chart(html, points, [("acks", p => p.Acks), ("deliveries", p => p.Deliveries)]);

        // The JSON encoder escapes '<', so the data cannot close the script element.
        html.Append("<script type=\"application/json\" id=\"chatapp-series\">")
            .Append(JsonSerializer.Serialize(new { steps = steps.Select(s => new { rate = s.Settings.Rate, s.Passed }), points }, SimulationReport.Json))
            .Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    private static void Chart(StringBuilder html, IReadOnlyList<TimelinePoint> points, (string Class, Func<TimelinePoint, double?> Value)[] lines)
    {
        var max = points.SelectMany(p => lines.Select(l => l.Value(p) ?? 0)).DefaultIfEmpty(0).Max();
        max = max <= 0 ? 1 : NiceCeiling(max);
        var seconds = Math.Max(1, points.Count - 1);
        double X(int second) => Left + (second * (Width - Left - Right) / (double)seconds);
        double Y(double value) => Height - Bottom - (value / max * (Height - Top - Bottom));
        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\"/>");
        html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\"/>\n");
        for (var tick = 0; tick <= 4; tick++)
        {
            var value = max * tick / 4;
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(value) + 4:0.#}\" text-anchor=\"end\">{F(value)}</text>");
        }

        var every = Math.Max(1, (int)Math.Ceiling(points.Count / 15.0));
        for (var second = 0; second < points.Count; second += every)
        {
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(second):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{second}s</text>");
        }

        // A dashed line where each later step begins, labelled with its rate.
        foreach (var start in points.Where((p, i) => i > 0 && p.Step != points[i - 1].Step))
        {
            html.Append(CultureInfo.InvariantCulture, $"\n<line class=\"step\" x1=\"{X(start.Second):0.#}\" y1=\"{Top}\" x2=\"{X(start.Second):0.#}\" y2=\"{Height - Bottom}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{X(start.Second) + 4:0.#}\" y=\"{Top + 10}\">{F(start.Rate)}/user/s</text>");
        }

        foreach (var (cssClass, value) in lines)
        {
            var coordinates = points.Where(p => value(p) is not null)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Second):0.#},{Y(value(p)!.Value):0.#}"));
            html.Append("\n<polyline class=\"").Append(cssClass).Append("\" points=\"").AppendJoin(' ', coordinates).Append("\"/>");
        }

        html.Append("\n</svg>\n");
    }

    /// <summary>1, 2 or 5 times a power of ten, at or above <paramref name="value"/>: axis labels that read easily.</summary>
    private static double NiceCeiling(double value)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        return NiceSteps.Select(m => m * power).First(v => v >= value);
    }

    private static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString(v >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture) : "-";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
