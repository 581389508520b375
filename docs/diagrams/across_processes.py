#!/usr/bin/env python3
"""Draws docs/across-processes.svg, the sequence diagram of the section "One request across four
processes" of docs/across-services.md.

The renderer of across_services.py (python3 standard library only), with the flow that
asynclocal-e2e's AcrossServicesDemo runs: A -> B over gRPC, B -> Kafka -> C, C -> D (Node.js)
over HTTP, and D's reply back to A through Kafka. Deterministic: the same input gives the same
bytes. Regenerate with

    python3 docs/diagrams/across_processes.py
"""
import sys
from pathlib import Path
from xml.sax.saxutils import escape

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import across_services as diagram  # noqa: E402  (the renderer; its own picture is left alone)

diagram.WIDTH = 1280
diagram.PARTICIPANTS = [
    ("client", "Client", "launcher"),
    ("a", "A", "JVM · JDK HttpServer"),
    ("b", "B", "JVM · gRPC server"),
    ("kafka", "Kafka", "KRaft broker"),
    ("c", "C", "JVM · Kafka consumer"),
    ("d", "D", "Node.js · node:http"),
]
diagram.X = {"client": 70, "a": 270, "b": 500, "kafka": 700, "c": 920, "d": 1160}
# across_services.render() draws its own title; this picture's replaces it
OLD_TITLE = "A → B → C: what travels, and where it is picked up"
TITLE = "One request, four processes, two runtimes: every step runs in r-1's context"

# (kind, from, to, lines): kind is "call", "reply" or "note" (a note over `from`).
diagram.STEPS = [
    ("call", "client", "a", ["GET /orders/order-1", "X-Request-Id: r-1"]),
    ("note", "a", None, ["request-id filter: r-1 (MDC too)",
                         "log \"r-1 received order-1\"",
                         "waiting[r-1] = AsyncCompletableFuture"]),
    ("call", "a", "b", ["gRPC Orders/Place \"order-1\"",
                        "metadata baggage: requestId=r-1"]),
    ("note", "b", None, ["ServerPropagationInterceptor: r-1",
                         "log \"r-1 placing order-1\""]),
    ("call", "b", "kafka", ["orders: \"order-1\"", "header baggage: requestId=r-1"]),
    ("reply", "kafka", "b", ["ack (callback in r-1's context)"]),
    ("reply", "b", "a", ["\"placed order-1\" (onNext in r-1's context)"]),
    ("call", "kafka", "c", ["poll: record of r-1"]),
    ("note", "c", None, ["KAFKA.forEach: the record's context, r-1",
                         "log \"r-1 got order-1\"",
                         "wrapped HttpClient.sendAsync"]),
    ("call", "c", "d", ["GET /orders/order-1", "baggage: requestId=r-1"]),
    ("note", "d", None, ["parse baggage itself",
                         "als.run({requestId: r-1}, …)",
                         "await setTimeout → als.getStore()",
                         "log \"r-1 order-1 done\""]),
    ("reply", "d", "c", ["200 \"D handled order-1 for request r-1\"",
                         "baggage: requestId=r-1,handledBy=D"]),
    ("note", "c", None, ["stage in r-1's context:",
                         "log \"r-1 D answered order-1\""]),
    ("call", "c", "kafka", ["replies: D's reply", "header baggage: requestId=r-1"]),
    ("call", "kafka", "a", ["poll: record of r-1"]),
    ("note", "a", None, ["KAFKA.forEach: the record's context, r-1",
                         "log \"r-1 reply from D\"",
                         "waiting[RequestIds.current()].complete"]),
    ("reply", "a", "client", ["200 \"D handled order-1 for request r-1\"",
                              "X-Request-Id: r-1"]),
]

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "across-processes.svg"
    svg = diagram.render()
    assert escape(OLD_TITLE) in svg, "across_services.py draws another title now"
    target.write_text(svg.replace(escape(OLD_TITLE), escape(TITLE)), encoding="utf-8")
    print(f"wrote {target}")
