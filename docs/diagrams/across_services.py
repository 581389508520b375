#!/usr/bin/env python3
"""Draws docs/across-services.svg, the sequence diagram of docs/across-services.md.

A tiny sequence-diagram renderer (python3 standard library only) and the A -> B -> C flow that
asynclocal-opentelemetry's AcrossServicesTest runs. Deterministic: the same input gives the same
bytes. Regenerate with

    python3 docs/diagrams/across_services.py
"""
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH = 1040
FONT = 12.5
CHAR_W = 6.6          # average advance of the font at FONT px, for sizing boxes
LINE_H = 16
TOP = 70

PARTICIPANTS = [
    ("client", "Client", ""),
    ("a", "Service A", "JDK HttpServer"),
    ("b", "Service B", "Jetty async servlet"),
    ("c", "Service C", "JDK HttpServer"),
]
X = {"client": 80, "a": 310, "b": 600, "c": 880}

# (kind, from, to, lines): kind is "call", "reply" or "note" (a note over `from`).
STEPS = [
    ("call", "client", "a", ["GET /a", "X-User: alice"]),
    ("note", "a", None, ["request-id filter: requestId = r-1 (new)",
                         "USER.run(alice) · span A current",
                         "client.sendAsync(B)"]),
    ("call", "a", "b", ["traceparent: 00-<trace>-<span A>-01",
                        "baggage: requestId=r-1,user=alice"]),
    ("note", "b", None, ["ServletPropagationFilter: stores <- baggage,",
                         "remote parent <- span A (fresh context)",
                         "ServletRequestIdFilter keeps r-1 · span B",
                         "AsyncCompletableFuture on an AsyncExecutors pool",
                         "thenCompose: client.sendAsync(C)"]),
    ("call", "b", "c", ["traceparent: 00-<trace>-<span B>-01",
                        "baggage: requestId=r-1,user=alice"]),
    ("note", "c", None, ["HttpServerPropagationFilter: stores <- baggage",
                         "HttpServerRequestIdFilter keeps r-1",
                         "AsyncExecutors pool task: span C,",
                         "log [requestId=r-1 user=alice]"]),
    ("reply", "c", "b", ["200 · X-Request-Id: r-1"]),
    ("reply", "b", "a", ["200 · completed from a future stage"]),
    ("reply", "a", "client", ["200 · X-Request-Id: r-1", "answered from the response stage"]),
]


def text(x, y, s, anchor="middle", weight="normal", size=FONT, fill="#1b1f23"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')


def render():
    out = []
    y = TOP + 52
    body = []
    for kind, src, dst, lines in STEPS:
        if kind == "note":
            w = max(len(s) for s in lines) * CHAR_W + 20
            h = len(lines) * LINE_H + 12
            x0 = min(max(X[src] - w / 2, 8), WIDTH - 8 - w)
            body.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
                        f'fill="#fff8c5" stroke="#d4a72c"/>')
            for i, s in enumerate(lines):
                body.append(text(x0 + 10, y + 18 + i * LINE_H, s, anchor="start"))
            y += h + 22
        else:
            x1, x2 = X[src], X[dst]
            mid = (x1 + x2) / 2
            for i, s in enumerate(lines):
                body.append(text(mid, y + i * LINE_H, s))
            ay = y + (len(lines) - 1) * LINE_H + 9
            dash = ' stroke-dasharray="6 4"' if kind == "reply" else ""
            marker = "open" if kind == "reply" else "solid"
            end = x2 - 6 if x2 > x1 else x2 + 6
            body.append(f'<line x1="{x1}" y1="{ay:.1f}" x2="{end}" y2="{ay:.1f}" stroke="#1b1f23" '
                        f'stroke-width="1.4"{dash} marker-end="url(#{marker})"/>')
            y = ay + 30
    height = y + 20
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
               f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="Helvetica, Arial, sans-serif">')
    out.append('<defs>'
               '<marker id="solid" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
               '<path d="M0,0 L10,4 L0,8 z" fill="#1b1f23"/></marker>'
               '<marker id="open" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
               '<path d="M0,0 L10,4 L0,8" fill="none" stroke="#1b1f23" stroke-width="1.4"/></marker>'
               '</defs>')
    out.append(f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>')
    out.append(text(WIDTH / 2, 26, "A → B → C: what travels, and where it is picked up", weight="bold", size=15))
    for key, title, subtitle in PARTICIPANTS:
        x = X[key]
        out.append(f'<line x1="{x}" y1="{TOP + 34}" x2="{x}" y2="{height - 12:.0f}" stroke="#8c959f" '
                   f'stroke-dasharray="3 4"/>')
        w = max(len(title), len(subtitle)) * CHAR_W + 24
        out.append(f'<rect x="{x - w / 2:.1f}" y="{TOP - 22}" width="{w:.1f}" height="{56 if subtitle else 40}" '
                   f'rx="6" fill="#ddf4ff" stroke="#54aeff"/>')
        out.append(text(x, TOP - 2, title, weight="bold"))
        if subtitle:
            out.append(text(x, TOP + 15, subtitle, size=11, fill="#57606a"))
    out.extend(body)
    out.append('</svg>')
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "across-services.svg"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
