#!/usr/bin/env python3
"""Draws p50/p99 latency against offered load for ChatApp, the baseline and the durable baseline from bench/run.sh's
saturation.json, as a standalone SVG and a self-contained HTML page (the SVG inline plus the numbers).
Standard library only, no network: the chart must open from the results folder as it is.
Usage: chart.py saturation.json out.svg out.html"""
import html
import json
import math
import sys

COLORS = {"chatapp": "#c0392b", "baseline": "#2471a3", "durable": "#1e8449"}
W, H, LEFT, RIGHT, TOP, BOTTOM = 760, 440, 70, 170, 40, 60


def svg(data):
    series = data["targets"]
    points = [s for t in series.values() for s in t["steps"]]
    xs = [s["offeredMessagesPerSecond"] for s in points] or [1]
    ys = [v for s in points for v in (s["p50"], s["p99"]) if v and v > 0] or [1]
    # Log scales: rates double each step and latency spans milliseconds to seconds past the knee.
    x0, x1 = math.log10(min(xs) / 1.5), math.log10(max(xs) * 1.5)
    y0, y1 = math.log10(max(min(ys) / 1.5, 0.1)), math.log10(max(max(ys) * 1.5, data["p99LimitMs"] * 2))
    px = lambda x: LEFT + (math.log10(x) - x0) / (x1 - x0) * (W - LEFT - RIGHT)
    py = lambda y: TOP + (y1 - math.log10(max(y, 0.1))) / (y1 - y0) * (H - TOP - BOTTOM)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{html.escape(data["title"])}</text>']
    for exp in range(math.floor(y0), math.ceil(y1) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** exp
            if y0 <= math.log10(v) <= y1:
                out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>')
                out.append(f'<text x="{LEFT - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    # Every step gets its grid line; a label only where it clears the last one drawn (the steps crowd at the top of a
    # log scale: 1200, 1400 and 1600 msgs/s ran into each other).
    labelled_to = -math.inf
    for x in sorted(set(xs)):
        out.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{TOP}" y2="{H - BOTTOM}" stroke="#eee"/>')
        half = len(f"{x:g}") * 3.6 + 3  # about half the label's width at font-size 12
        if px(x) - half >= labelled_to:
            out.append(f'<text x="{px(x):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{x:g}</text>')
            labelled_to = px(x) + half
    limit = py(data["p99LimitMs"])
    out.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{limit:.1f}" y2="{limit:.1f}" stroke="#888" stroke-dasharray="6 4"/>')
    out.append(f'<text x="{W - RIGHT - 4}" y="{limit - 5:.1f}" text-anchor="end" fill="#666">p99 limit {data["p99LimitMs"]:g} ms</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{H - 18}" text-anchor="middle">offered load, messages/s (log)</text>')
    out.append(f'<text transform="translate(18 {(TOP + H - BOTTOM) / 2}) rotate(-90)" text-anchor="middle">delivery latency, ms (log)</text>')
    legend = TOP + 10
    for name, target in series.items():
        color = COLORS.get(name, "#555")
        for key, dash in (("p50", ""), ("p99", ' stroke-dasharray="5 3"')):
            pts = [(px(s["offeredMessagesPerSecond"]), py(s[key])) for s in target["steps"] if s[key]]
            if pts:
                out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
            for s in target["steps"]:
                if s[key]:
                    fill = color if s["clean"] else "white"  # hollow: the step lost messages or broke the p99 limit
                    out.append(f'<circle cx="{px(s["offeredMessagesPerSecond"]):.1f}" cy="{py(s[key]):.1f}" r="4" fill="{fill}" stroke="{color}" stroke-width="2"><title>{name} {key} {s[key]:.1f} ms at {s["offeredMessagesPerSecond"]:g} msgs/s</title></circle>')
            out.append(f'<line x1="{W - RIGHT + 12}" x2="{W - RIGHT + 40}" y1="{legend}" y2="{legend}" stroke="{color}" stroke-width="2"{dash}/>')
            out.append(f'<text x="{W - RIGHT + 46}" y="{legend + 4}">{name} {key}</text>')
            legend += 18
    out.append(f'<text x="{W - RIGHT + 12}" y="{legend + 10}" fill="#666">hollow = not clean</text>')
    out.append("</svg>")
    return "\n".join(out)


def fmt(ratio):
    return "-" if ratio is None else f"{ratio:.2f}"


def page(data, chart):
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{s['rate']:g}</td><td>{s['offeredMessagesPerSecond']:g}</td><td>{s['p50'] or 0:.1f}</td><td>{s['p99'] or 0:.1f}</td>"
        f"<td>{s['missing']}</td><td>{s['failed']}</td><td>{'yes' if s['clean'] else 'no'}</td></tr>"
        for name, t in data["targets"].items() for s in t["steps"])
    best = ", ".join(f"{n}: {t['highestCleanRate'] if t['highestCleanRate'] is not None else 'none'} msgs/user/s"
                     + (" (clean at every step: at least that)" if t.get("firstUncleanRate") is None else "") for n, t in data["targets"].items())
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(data['title'])}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style>"
            f"</head><body>{chart}<p>Highest clean rate: {html.escape(best)}; ratio ChatApp/baseline: {fmt(data.get('ratio'))}"
            f"; ChatApp/durable baseline: {fmt(data.get('ratioToDurable'))}; durable baseline/baseline: {fmt(data.get('durableToBaseline'))}</p>"
            "<table><tr><th>server</th><th>msgs/user/s</th><th>offered msgs/s</th><th>p50 ms</th><th>p99 ms</th><th>missing</th><th>failed</th><th>clean</th></tr>"
            f"{rows}</table></body></html>\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        data = json.load(f)
    chart = svg(data)
    with open(sys.argv[2], "w") as f:
        f.write(chart + "\n")
    with open(sys.argv[3], "w") as f:
        f.write(page(data, chart))
