#!/usr/bin/env python3
"""Turns a JMH JSON result of asynclocal-benchmarks into docs/benchmarks.md and an SVG chart.

    report.py env OUT.json [--mode quick|full] [--cpus LIST] [--load-before L] [--load-after L]
                           [--command CMD]
        records the machine a run happened on (written by run.sh beside the JMH results)

    report.py render RESULTS.json [--env ENV.json] [--pinned P.json] [--agent A.json]
                                  [--throughput T.json] [--node N.json] [--markdown docs/benchmarks.md]
                                  [--svg docs/benchmarks.svg] [--template TEMPLATE.md]
        writes the tables, the targets of issue 6 and the chart. Beside RESULTS.json (a JMH result)
        it also reads, when they exist and are not given: RESULTS-pinned.json (groups run pinned to
        one CPU), RESULTS-agent.json (group 7's plain-JDK rows run with -javaagent),
        RESULTS-throughput.json (ServerThroughput) and RESULTS-node.json (run-node.sh).

    report.py spring-boot RESULT.json [RESULT.json ...]
        prints, as Markdown, the Spring Boot starter's throughput (SpringBootThroughput) of each
        run: every variant against the run's baseline (`none`), per round and overall. The page's
        Spring Boot section is static text in the template (it survives re-renders from JMH
        results); paste from this when the measurement is repeated.

Standard library only, no network. Ratios are taken against each group's floor row (ThreadLocal,
or plain JDK for the executor and CompletableFuture groups, hooks disabled for the hooks group) with
the same @Param values (or the same method with the floor's parameters, for the loss-detector
group); bytes per operation come from JMH's GC profiler (gc.alloc.rate.norm).
"""

import argparse
import datetime
import html
import json
import math
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Group:
    def __init__(self, cls, title, about, floor, floor_params=None, unit_note=""):
        self.cls = cls                      # simple class name shared by the group's classes
        self.title = title
        self.about = about
        self.floor = floor                  # method name of the floor row; None: the row's own method
        self.floor_params = floor_params or {}  # params the floor row is pinned to
        self.unit_note = unit_note


GROUPS = [
    Group("GetBenchmark", "1. get",
          "Read one value inside an active scope.", "threadLocal"),
    Group("RunBenchmark", "2. run",
          "Enter a value, read it once, leave (restore the previous context).", "threadLocal"),
    Group("CaptureRestoreBenchmark", "3. capture + restore",
          "With `variables` values current, wrap a Runnable and run it at once on the same thread. "
          "The ThreadLocal floor copies and restores each thread-local by hand.", "threadLocal"),
    Group("ExecutorHopBenchmark", "4. executor hop",
          "Bursts of 64 tasks to a single-thread pool, waiting for all; times and bytes are per task. "
          "`_unwrapped`: the plain pool (the task sees no value); `_wrapped`: the library's wrapper.",
          "threadLocal_unwrapped", unit_note="per task"),
    Group("CompletableFutureChainBenchmark", "5. CompletableFuture chain",
          "5 dependent `thenApply` stages registered in the context, completed from another thread.",
          "jdk", unit_note="per chain"),
    Group("ExecutorHopBenchmark@pinned", "4b. executor hop, JVM pinned to one CPU",
          "The same, with every thread of the benchmark JVM on one CPU (`taskset`): the submitter fills "
          "the queue, then the pool thread drains it, so thread wake-ups no longer dominate.",
          "threadLocal_unwrapped", unit_note="per task"),
    Group("CompletableFutureChainBenchmark@pinned", "5b. CompletableFuture chain, JVM pinned to one CPU",
          "The same, on one CPU.", "jdk", unit_note="per chain"),
    Group("HooksBenchmark", "6. hooks",
          "asynclocal capture + restore (bind, run) with no hook, with one hook (init/before/after), "
          "and with one hook that also handles destroy.", "asyncLocal", {"hook": "none"}),
    Group("AgentHopBenchmark", "7a. agent vs wrappers: executor hop",
          "The burst of group 4 with an asynclocal value current. `plain JDK`: the plain pool without the "
          "agent (the floor; the tasks see nothing); `plain JDK + agent`: the same code in a JVM started with "
          "`-javaagent:asynclocal-agent.jar` (the tasks see the value); `asynclocal wrapped`: "
          "`AsyncExecutors.wrap`, no agent.", "jdk", unit_note="per task"),
    Group("AgentChainBenchmark", "7b. agent vs wrappers: CompletableFuture chain",
          "The chain of group 5 reading an asynclocal value. `plain JDK`: a plain `CompletableFuture` without "
          "the agent (the floor; no stage sees the value); `plain JDK + agent`: the same code with the agent; "
          "`asynclocal wrapped`: `AsyncCompletableFuture`, no agent.", "jdk", unit_note="per chain"),
    Group("MdcHopBenchmark", "8. MDC on an executor hop",
          "Bursts of 64 tasks through `AsyncExecutors.wrap`, with 0, 1 or 5 SLF4J MDC entries set: "
          "asynclocal-slf4j's MDC (in the context) vs Logback's thread-local MDC copied per task by hand. "
          "Floor: asynclocal with no MDC entry.", "asyncLocal_mdc", {"mdcEntries": "0"}, unit_note="per task"),
    Group("LossDetectorBenchmark", "9. context-loss detector",
          "The paths the detector touches, with it off and on (no flight recording): a read that finds its "
          "store, a read that finds none (on: one loss, a stack walk), `bind` + run, a `watch`ed task run at "
          "once, a task through a guarded executor. Each row's floor is the same operation with the detector "
          "off.", None, {"detector": "off"}),
]
GROUP_BY_CLASS = {g.cls: g for g in GROUPS}

LIBRARY_ORDER = ["jdk", "agent", "threadLocal", "inheritableThreadLocal", "scopedValue", "ttl", "micrometer",
                 "openTelemetry", "grpc", "asyncLocal", "logback"]
LIBRARY_NAMES = {
    "jdk": "plain JDK", "agent": "plain JDK + agent", "threadLocal": "ThreadLocal", "inheritableThreadLocal": "InheritableThreadLocal",
    "scopedValue": "ScopedValue", "ttl": "TTL", "micrometer": "Micrometer", "openTelemetry": "OpenTelemetry",
    "grpc": "gRPC", "asyncLocal": "asynclocal", "logback": "Logback",
}
PARAM_ORDER = {"none": 0, "initBeforeAfter": 1, "withDestroy": 2, "off": 0, "on": 1}


# ---------------------------------------------------------------------------------------------
# Reading results

def number(value):
    """JMH writes NaN and infinities as strings."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


class Row:
    def __init__(self, entry):
        full = entry["benchmark"]
        cls, self.method = full.rsplit(".", 1)
        self.package, self.cls = cls.rsplit(".", 1)
        self.params = dict(entry.get("params") or {})
        primary = entry["primaryMetric"]
        self.score = number(primary["score"])
        self.error = number(primary.get("scoreError"))
        self.unit = primary.get("scoreUnit", "")
        norm = (entry.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
        self.bytes = number(norm["score"]) if norm else float("nan")
        self.library = self.method.split("_", 1)[0]
        self.ratio = float("nan")
        self.is_floor = False

    @property
    def label(self):
        name = LIBRARY_NAMES.get(self.library, self.library)
        variant = self.method.split("_", 1)[1] if "_" in self.method else ""
        return name + (" " + variant if variant else "")

    @property
    def param_text(self):
        return ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))

    def sort_key(self):
        params = tuple(sorted((k, PARAM_ORDER.get(v, 99), int(v) if v.isdigit() else 0, v)
                              for k, v in self.params.items()))
        lib = LIBRARY_ORDER.index(self.library) if self.library in LIBRARY_ORDER else len(LIBRARY_ORDER)
        return (params, lib, self.method)


def load_rows(path, pinned_path=None, agent_path=None):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    rows = [Row(e) for e in entries]
    if agent_path:
        # group 7's plain-JDK rows run again with -javaagent: the agent row of each table
        with open(agent_path, encoding="utf-8") as f:
            for entry in json.load(f):
                row = Row(entry)
                if row.method == "jdk":
                    row.method = row.library = "agent"
                rows.append(row)
    if pinned_path:
        with open(pinned_path, encoding="utf-8") as f:
            for entry in json.load(f):
                row = Row(entry)
                row.cls += "@pinned"
                rows.append(row)
    by_group = {}
    for row in rows:
        by_group.setdefault(row.cls, []).append(row)
    for cls, group_rows in by_group.items():
        group = GROUP_BY_CLASS.get(cls)
        if group is not None and group.floor is None:
            # each row's floor is its own method: keep a method's rows together
            group_rows.sort(key=lambda r: (r.method, r.sort_key()))
        else:
            group_rows.sort(key=Row.sort_key)
        if group is None:
            continue
        for row in group_rows:
            wanted = dict(row.params, **group.floor_params)
            floor_method = group.floor or row.method
            floor = next((r for r in group_rows if r.method == floor_method and r.params == wanted), None)
            if floor is not None and floor.score > 0:
                row.ratio = row.score / floor.score
            row.is_floor = row is floor
    return entries, by_group


def find(by_group, cls, method, **params):
    for row in by_group.get(cls, []):
        if row.method == method and all(row.params.get(k) == str(v) for k, v in params.items()):
            return row
    return None


# ---------------------------------------------------------------------------------------------
# Formatting

def fmt(value, digits=3):
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def fmt_bytes(value):
    if math.isnan(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 0.5 else "0"


def tables_markdown(by_group):
    out = []
    for group in GROUPS:
        rows = by_group.get(group.cls)
        if not rows:
            continue
        out.append(f"### {group.title}\n")
        out.append(group.about + "\n")
        unit = rows[0].unit + (f" ({group.unit_note})" if group.unit_note else "")
        has_params = any(r.params for r in rows)
        head = "| library | " + ("params | " if has_params else "") + f"{unit} | ± | × floor | B/op |"
        out.append(head)
        out.append("|" + "---|" * (head.count("|") - 1))
        for r in rows:
            name = f"**{r.label}** (floor)" if r.is_floor else r.label
            cells = [name] + ([r.param_text] if has_params else []) + [
                fmt(r.score), fmt(r.error, 2), fmt(r.ratio), fmt_bytes(r.bytes)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def targets_markdown(by_group, throughput=None):
    """The targets (issues 6 and 19), each checked against this run where the rows exist."""
    lines = ["| target | measured | status |", "|---|---|---|"]

    def ratio(a, b):
        return a.score / b.score if a and b and b.score > 0 else float("nan")

    def add(target, measured, ok):
        status = "pending" if ok is None else ("met" if ok else "**missed**")
        lines.append(f"| {target} | {measured} | {status} |")

    get_als, get_tl = find(by_group, "GetBenchmark", "asyncLocal"), find(by_group, "GetBenchmark", "threadLocal")
    r = ratio(get_als, get_tl)
    add("`getStore()` within 1.25× of `ThreadLocal.get()`",
        f"{fmt(r)}× ({fmt(get_als.score) if get_als else '–'} vs {fmt(get_tl.score) if get_tl else '–'} ns)",
        None if math.isnan(r) else r <= 1.25)

    run_als = find(by_group, "RunBenchmark", "asyncLocal_run")
    for method, name in (("scopedValue", "`ScopedValue.where(..).call(..)`"),
                         ("openTelemetry", "OpenTelemetry `makeCurrent()`+`close()`")):
        other = find(by_group, "RunBenchmark", method)
        r = ratio(run_als, other)
        if other is None:
            add(f"`run` no slower than {name}", "not measured on this JDK" if method == "scopedValue"
                else "–", None)
        else:
            add(f"`run` no slower than {name}",
                f"{fmt(r)}× ({fmt(run_als.score) if run_als else '–'} vs {fmt(other.score)} ns)",
                None if math.isnan(r) else r <= 1.0)

    for n in (1, 10, 100):
        als = find(by_group, "CaptureRestoreBenchmark", "asyncLocal", variables=n)
        otel = find(by_group, "CaptureRestoreBenchmark", "openTelemetry", variables=n)
        r = ratio(als, otel)
        add(f"capture + restore no slower than OpenTelemetry `Context.wrap`, {n} variable{'s' * (n > 1)}",
            f"{fmt(r)}× ({fmt(als.score) if als else '–'} vs {fmt(otel.score) if otel else '–'} ns)",
            None if math.isnan(r) else r <= 1.0)
    for n in (1, 10, 100):
        als = find(by_group, "CaptureRestoreBenchmark", "asyncLocalEscaping", variables=n)
        otel = find(by_group, "CaptureRestoreBenchmark", "openTelemetryEscaping", variables=n)
        if als and otel:
            r = ratio(als, otel)
            add(f"the same with the wrapper escaping (as when handed to an executor), {n} variable{'s' * (n > 1)}",
                f"{fmt(r)}× ({fmt(als.score)} vs {fmt(otel.score)} ns)", None if math.isnan(r) else r <= 1.0)
    a1 = find(by_group, "CaptureRestoreBenchmark", "asyncLocal", variables=1)
    a100 = find(by_group, "CaptureRestoreBenchmark", "asyncLocal", variables=100)
    r = ratio(a100, a1)
    add("capture + restore at 100 variables within 1.2× of 1 variable", f"{fmt(r)}×",
        None if math.isnan(r) else r <= 1.2)
    for method, name in (("ttl", "TTL"), ("micrometer", "Micrometer")):
        other = find(by_group, "CaptureRestoreBenchmark", method, variables=100)
        r = ratio(other, a100)
        add(f"capture + restore at least 20× faster than {name} at 100 variables",
            f"{fmt(r)}× faster", None if math.isnan(r) else r >= 20)

    # the pinned run, where there is one: unpinned, the hop on 2 cores is mostly wake-up noise
    hop = "ExecutorHopBenchmark@pinned" if by_group.get("ExecutorHopBenchmark@pinned") else "ExecutorHopBenchmark"
    where = " (pinned)" if hop.endswith("@pinned") else ""
    wrapped = find(by_group, hop, "asyncLocal_wrapped")
    unwrapped = find(by_group, hop, "asyncLocal_unwrapped")
    if wrapped:
        r = ratio(wrapped, unwrapped)
        add("wrapped executor hop within 5% of unwrapped", f"{fmt(r)}×{where}", None if math.isnan(r) else r <= 1.05)
    else:
        bind = find(by_group, hop, "asyncLocal_bind")
        interim = f"`AsyncExecutors` not measured yet; by hand with `bind`: {fmt(ratio(bind, unwrapped))}×{where}"
        add("wrapped executor hop within 5% of unwrapped", interim, None)
    quiet = find(by_group, hop, "asyncLocal_wrapped_noContext")
    plain = find(by_group, hop, "threadLocal_unwrapped")
    if quiet and plain:
        extra = quiet.bytes - plain.bytes
        add("0 extra bytes per hop with no context and no hook", f"{fmt_bytes(extra)} B/task extra{where}",
            None if math.isnan(extra) else extra < 0.5)
    else:
        add("0 extra bytes per hop with no context and no hook", "`AsyncExecutors` not measured yet", None)
    none = find(by_group, "HooksBenchmark", "asyncLocal", hook="none")
    destroy = find(by_group, "HooksBenchmark", "asyncLocal", hook="withDestroy")
    if none and destroy:
        r = ratio(destroy, none)
        add("capture + run with a hook that handles `destroy` at most 20× one with no hook",
            f"{fmt(r)}× ({fmt(destroy.score)} vs {fmt(none.score)} ns)", None if math.isnan(r) else r <= 20)
    stats = throughput_stats(throughput)
    base = stats.get("none")
    for variant, how in (("agent", "with the agent"), ("wrappers", "with the wrappers")):
        if base and stats.get(variant):
            r = stats[variant]["mean"] / base["mean"] if base["mean"] > 0 else float("nan")
            add(f"demo server throughput with propagation ≥ 97% of without ({how})",
                f"{fmt(100 * r)}% ({fmt(stats[variant]['mean'])} vs {fmt(base['mean'])} requests/s)",
                None if math.isnan(r) else r >= 0.97)
        else:
            add(f"demo server throughput with propagation ≥ 97% of without ({how})",
                "not measured in this run", None)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The demo server's throughput (ServerThroughput) and the Node.js peer (run-node.sh)

THROUGHPUT_VARIANTS = [
    ("none", "no context (the baseline): the same header work, the id passed by hand, plain executors and futures, no agent"),
    ("agent", "agent: plain JDK executors and futures, `-javaagent:asynclocal-agent.jar`"),
    ("wrappers", "wrappers: `AsyncExecutors.wrap` and `AsyncCompletableFuture`, no agent"),
]


def throughput_stats(data):
    stats = {}
    for name, rates in ((data or {}).get("variants") or {}).items():
        rates = [number(r) for r in rates]
        if rates:
            stats[name] = {"rates": rates, "mean": sum(rates) / len(rates), "min": min(rates), "max": max(rates)}
    return stats


def throughput_markdown(data):
    stats = throughput_stats(data)
    if not stats:
        return "Not measured in this run (`asynclocal-benchmarks/run.sh --throughput` measures it alone)."
    st = data.get("settings", {})
    out = [f"{st.get('connections', '?')} keep-alive connections from a load generator on loopback, each with "
           f"one request in flight; scheduled-task delay {st.get('delayMs', '?')} ms; per variant and round a "
           f"fresh server JVM, {st.get('warmupSeconds', '?')} s of warm-up then {st.get('measureSeconds', '?')} s "
           f"measured; {st.get('rounds', '?')} round(s), the order of the variants reversed every other round; "
           + (f"server JVM pinned to CPU {st['serverCpus']} and the load generator to the others; "
              if st.get("serverCpus") else "")
           + f"{st.get('vmName', '?')} {st.get('javaVersion', '?')}.", ""]
    out.append("| server | requests/s (mean) | per round | × baseline |")
    out.append("|---|---|---|---|")
    base = stats.get("none")
    for key, text in THROUGHPUT_VARIANTS:
        if key not in stats:
            continue
        v = stats[key]
        ratio = v["mean"] / base["mean"] if base and base["mean"] > 0 else float("nan")
        name = f"**{text}**" if key == "none" else text
        out.append(f"| {name} | {fmt(v['mean'])} | {' / '.join(fmt(r) for r in v['rates'])} | {fmt(ratio)} |")
    return "\n".join(out)


# (label, node result key, Java (group, method, divisor), what the Java row is)
NODE_OPERATIONS = [
    ("`getStore()` with a store current", "getStore", ("GetBenchmark", "asyncLocal", 1),
     "group 1, `getStore()`"),
    ("`run(value, fn)`: enter, read once, leave", "run", ("RunBenchmark", "asyncLocal_run", 1),
     "group 2, `run`"),
    ("async hop, chained: one callback of a `then` chain registered in the context", "promiseThen",
     ("CompletableFutureChainBenchmark", "asyncLocal_wrapped", 5),
     "group 5, `AsyncCompletableFuture` chain of 5, per stage"),
    ("  the same without any store (floor)", "promiseThen_floor", ("CompletableFutureChainBenchmark", "jdk", 5),
     "group 5, plain JDK, per stage"),
    ("async hop, burst: one of 64 callbacks scheduled in the context", "setImmediate",
     ("ExecutorHopBenchmark", "asyncLocal_wrapped", 1), "group 4, `AsyncExecutors.wrap`, per task"),
    ("  the same without any store (floor)", "setImmediate_floor",
     ("ExecutorHopBenchmark", "threadLocal_unwrapped", 1), "group 4, plain pool, per task"),
]


def node_markdown(runs, by_group, entries):
    if not runs:
        return "Not measured in this run (`asynclocal-benchmarks/run-node.sh` measures it alone; it needs `node`)."
    java = (entries[0].get("jdkVersion", "?") if entries else "?")
    head = ["operation"] + [f"Node {r.get('node', '?')} (ns)" for r in runs] + [f"asynclocal, Java {java} (ns)",
                                                                                "asynclocal row"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, key, (cls, method, divisor), what in NODE_OPERATIONS:
        cells = [label.replace("  ", "↳ ")]
        for r in runs:
            res = (r.get("results") or {}).get(key)
            cells.append(fmt(number(res["nsPerOp"])) if res else "–")
        group = cls + "@pinned" if by_group.get(cls + "@pinned") else cls
        row = find(by_group, group, method)
        cells.append(fmt(row.score / divisor) if row else "–")
        cells.append(what + (" (pinned)" if group.endswith("@pinned") else ""))
        out.append("| " + " | ".join(cells) + " |")
    first = runs[0]
    out.append("")
    out.append(f"Node: `node/bench.mjs`, {first.get('warmupIterations', '?')} warm-up and "
               f"{first.get('iterations', '?')} measured iterations of {first.get('iterationMs', '?')} ms per "
               f"operation, mean ns per operation; platform {first.get('platform', '?')}.")
    return "\n".join(out)


def machine_markdown(entries, env):
    first = entries[0] if entries else {}
    lines = []
    if env.get("date"):
        lines.append(f"- Run: {env['date']}, {env.get('mode', '?')} mode"
                     + (f", commit `{env['commit']}`" if env.get("commit") else ""))
    if env.get("cpu"):
        cpus = f"{env['cpu']}, {env.get('cores', '?')} logical CPUs"
        if env.get("cpus"):
            cpus += f"; JVM pinned with `taskset -c {env['cpus']}`"
        if env.get("pinned_cpu"):
            cpus += f"; groups 4b and 5b pinned with `taskset -c {env['pinned_cpu']}`"
        lines.append(f"- CPU: {cpus}")
    if env.get("os"):
        lines.append(f"- OS: {env['os']}")
    if first:
        lines.append(f"- JDK: {first.get('vmName', '?')} {first.get('vmVersion', '?')} "
                     f"(Java {first.get('jdkVersion', '?')}), JVM args: "
                     + (" ".join(f"`{a}`" for a in first.get("jvmArgs", [])) or "none"))
        lines.append(f"- JMH {first.get('jmhVersion', '?')}: {first.get('forks', '?')} fork(s), "
                     f"{first.get('warmupIterations', '?')} × {first.get('warmupTime', '?')} warm-up, "
                     f"{first.get('measurementIterations', '?')} × {first.get('measurementTime', '?')} "
                     f"measurement, mode {first.get('mode', '?')}, `-prof gc`")
    if env.get("load_before") or env.get("load_after"):
        lines.append(f"- Load average (1/5/15 min) before: {env.get('load_before', '?')}; "
                     f"after: {env.get('load_after', '?')}")
    if env.get("command"):
        lines.append(f"- Command: `{env['command']}`")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The chart

def svg_chart(by_group, title):
    """Horizontal bars of each row's ratio to its floor, log scale, one panel per group."""
    width, label_w, right_pad = 980, 330, 150
    plot_w = width - label_w - right_pad
    bar_h, gap, panel_head = 16, 4, 30
    lo, hi = 0.05, 2000.0
    ratios = [r.ratio for rows in by_group.values() for r in rows if not math.isnan(r.ratio) and r.ratio > 0]
    if ratios:
        lo = min(lo, 10 ** math.floor(math.log10(min(ratios))))
        hi = max(10.0, 10 ** math.ceil(math.log10(max(ratios))))

    def x(ratio):
        ratio = min(max(ratio, lo), hi)
        return label_w + plot_w * (math.log10(ratio) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    parts, y = [], 50
    parts.append(f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
                 f'{html.escape(title)}</text>')
    for group in GROUPS:
        rows = [r for r in by_group.get(group.cls, []) if not math.isnan(r.ratio)]
        if not rows:
            continue
        parts.append(f'<text x="10" y="{y + 18}" font-size="14" font-weight="bold">'
                     f'{html.escape(group.title)} (× floor, log scale)</text>')
        y += panel_head
        top = y
        for r in rows:
            ours = r.library in ("asyncLocal", "agent") or group.floor is None
            colour = "#9e9e9e" if r.is_floor else ("#1e88e5" if ours else "#fb8c00")
            label = r.label + (f" [{r.param_text}]" if r.param_text else "")
            parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end" font-size="12">'
                         f'{html.escape(label)}</text>')
            # bars grow from the floor (1×): leftwards when faster, rightwards when slower
            x1 = x(r.ratio)
            left, right = min(x(1), x1), max(x(1), x1)
            parts.append(f'<rect x="{left - (1 if right - left < 2 else 0):.1f}" y="{y}" '
                         f'width="{max(right - left, 2):.1f}" height="{bar_h}" '
                         f'fill="{colour}"><title>{html.escape(label)}: {fmt(r.score)} {r.unit}, '
                         f'{fmt(r.ratio)}× floor, {fmt_bytes(r.bytes)} B/op</title></rect>')
            parts.append(f'<text x="{max(x(1), x1) + 6:.1f}" y="{y + bar_h - 4}" font-size="11" fill="#333">'
                         f'{fmt(r.ratio)}× · {fmt(r.score)} {html.escape(r.unit)}</text>')
            y += bar_h + gap
        decade = 10 ** math.floor(math.log10(lo))
        while decade <= hi:
            if decade >= lo:
                tx = x(decade)
                style = 'stroke="#000" stroke-width="1"' if decade == 1 else 'stroke="#ccc" stroke-dasharray="3,3"'
                parts.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{y}" {style}/>')
                parts.append(f'<text x="{tx:.1f}" y="{y + 12}" text-anchor="middle" font-size="10" fill="#555">'
                             f'{decade:g}×</text>')
            decade *= 10
        y += 28
    legend = [("#9e9e9e", "floor"), ("#1e88e5", "asynclocal"), ("#fb8c00", "other libraries")]
    lx = label_w
    for colour, text in legend:
        parts.append(f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="{y + 10}" font-size="12">{text}</text>')
        lx += 140
    y += 24
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
            f'viewBox="0 0 {width} {y}" font-family="sans-serif">\n'
            f'<rect width="100%" height="100%" fill="#fff"/>\n' + "\n".join(parts) + "\n</svg>\n")


# ---------------------------------------------------------------------------------------------
# Commands

def library_versions():
    """The competitors' versions, as pinned in the parent pom."""
    try:
        with open(os.path.join(os.path.dirname(HERE), "pom.xml"), encoding="utf-8") as f:
            pom = f.read()
    except OSError:
        return ""
    names = [("jmh.version", "JMH"), ("transmittable-thread-local.version", "TransmittableThreadLocal"),
             ("opentelemetry.version", "OpenTelemetry context"),
             ("micrometer-context-propagation.version", "Micrometer context-propagation"),
             ("grpc.version", "gRPC (grpc-api)")]
    found = []
    for prop, name in names:
        m = re.search(r"<" + re.escape(prop) + r">([^<]+)</", pom)
        if m:
            found.append(f"{name} {m.group(1)}")
    return ", ".join(found)


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_commit():
    try:
        commit = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", HERE, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return ""


def command_env(args):
    env = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": args.mode,
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "cpus": args.cpus or "",
        "pinned_cpu": args.pinned_cpu or "",
        "load_before": args.load_before or "",
        "load_after": args.load_after or "",
        "command": args.command or "",
        "commit": git_commit(),
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(env, f, indent=2)
        f.write("\n")


def sibling(results, given, suffix):
    """The file given on the command line, else RESULTS<suffix>.json beside the JMH result if it exists."""
    if given is not None:
        return given or None
    path = results[:-5] + suffix + ".json" if results.endswith(".json") else None
    return path if path and os.path.exists(path) else None


def command_render(args):
    pinned = sibling(args.results, args.pinned, "-pinned")
    agent = sibling(args.results, args.agent, "-agent")
    throughput_path = sibling(args.results, args.throughput, "-throughput")
    node_path = sibling(args.results, args.node, "-node")
    entries, by_group = load_rows(args.results, pinned, agent)
    throughput, node_runs = None, []
    if throughput_path:
        with open(throughput_path, encoding="utf-8") as f:
            throughput = json.load(f)
    if node_path:
        with open(node_path, encoding="utf-8") as f:
            node_runs = json.load(f)
    env = {}
    env_path = args.env or (args.results[:-5] + ".env.json" if args.results.endswith(".json") else None)
    if env_path and os.path.exists(env_path):
        with open(env_path, encoding="utf-8") as f:
            env = json.load(f)
    mode = env.get("mode", "full")
    try:
        busy = float(env.get("load_before", "").split()[0]) > 0.5 * int(env.get("cores") or 1)
    except (ValueError, IndexError):
        busy = False
    if mode == "quick":
        status = "preliminary (quick mode, busy machine)" if busy else "preliminary (quick mode)"
        banner = (f"> **{status[0].upper() + status[1:]}.** One fork, one 1 s warm-up and two 1 s "
                  "iterations" + (", on a machine shared with other builds (see the load average below)"
                                  if busy else "")
                  + ": good enough to show the pipeline and the orders of magnitude, not for quoting. "
                  "A full run (`asynclocal-benchmarks/run.sh`) replaces this page.")
        title_suffix = " — " + status
    else:
        banner = ("> Full run" + (" on a busy machine (see the load average below)" if busy else "")
                  + "; settings below.")
        title_suffix = ""
    with open(args.template, encoding="utf-8") as f:
        doc = f.read()
    chart_name = os.path.relpath(args.svg, os.path.dirname(os.path.abspath(args.markdown)))
    doc = (doc.replace("@@BANNER@@", banner)
              .replace("@@TITLE_SUFFIX@@", title_suffix)
              .replace("@@MACHINE@@", machine_markdown(entries, env))
              .replace("@@TARGETS@@", targets_markdown(by_group, throughput))
              .replace("@@THROUGHPUT@@", throughput_markdown(throughput))
              .replace("@@NODE@@", node_markdown(node_runs, by_group, entries))
              .replace("@@TABLES@@", tables_markdown(by_group))
              .replace("@@CHART@@", chart_name)
              .replace("@@VERSIONS@@", library_versions())
              .replace("@@RESULTS@@", os.path.relpath(args.results, os.path.dirname(os.path.abspath(args.markdown)))))
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(doc)
    first = entries[0] if entries else {}
    title = (f"asynclocal vs context libraries — Java {first.get('jdkVersion', '?')}"
             + (" — preliminary quick run" if mode == "quick" else ""))
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write(svg_chart(by_group, title))
    unknown = sorted(set(by_group) - set(GROUP_BY_CLASS))
    if unknown:
        print("report.py: rows of unknown groups left out: " + ", ".join(unknown), file=sys.stderr)


def command_merge(args):
    """A base JMH result with every benchmark method that the newer results measured replaced by
    their rows (all its parameters): so a rerun of some benchmarks renders beside the rest of an
    earlier full run. Rerun whole groups when their rows are compared with each other."""
    with open(args.base, encoding="utf-8") as f:
        merged = json.load(f)
    for path in args.newer:
        with open(path, encoding="utf-8") as f:
            newer = json.load(f)
        methods = {entry["benchmark"] for entry in newer}
        merged = [e for e in merged if e["benchmark"] not in methods] + newer
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# The Spring Boot starter's throughput (SpringBootThroughput)

# two-sided 95% Student t quantiles by degrees of freedom; 1.96 beyond the table
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 11: 2.201, 12: 2.179, 15: 2.131, 20: 2.086}


def t95(df):
    if df in T95:
        return T95[df]
    smaller = [k for k in T95 if k <= df]
    return T95[max(smaller)] if df <= 20 else 1.96


def paired_ratios(rates, base):
    """variant / baseline of the same round: the two ran minutes apart, so a drift of the machine
    cancels out better than in the ratio of the means."""
    return [r / b for r, b in zip(rates, base) if b > 0]


def spring_boot_markdown(data):
    st = data.get("settings", {})
    variants = {k: [number(r) for r in v] for k, v in (data.get("variants") or {}).items()}
    base = variants.get("none")
    out = [f"{st.get('rounds', '?')} round(s); per variant and round a fresh server JVM, "
           f"{st.get('warmupSeconds', '?')} s of warm-up then {st.get('measureSeconds', '?')} s measured"
           + (f" in slices of {st['sliceSeconds']} s taken in turn with the other variants" if st.get("sliceSeconds") else "")
           + ", "
           f"{st.get('connections', '?')} keep-alive connections; "
           + (f"server pinned to CPU {st['serverCpus']}, load generator on the others; " if st.get("serverCpus") else "")
           + f"Spring Boot {st.get('springBoot', '?')}, Spring Framework {st.get('springFramework', '?')}, "
           f"{st.get('vmName', '?')} {st.get('javaVersion', '?')}.", ""]
    out.append("| variant | requests/s (mean) | per round | × baseline (means) | × baseline per round: mean ± 95% CI [min, max] |")
    out.append("|---|---|---|---|---|")
    cpu = {k: [number(r) if r is not None else float("nan") for r in v]
           for k, v in (data.get("cpuMicrosPerRequest") or {}).items()}
    for name, rates in variants.items():
        if not rates:
            continue
        mean = sum(rates) / len(rates)
        cells = [f"**{name}**" if name == "none" else f"`{name}`", fmt(mean), " / ".join(fmt(r) for r in rates)]
        if base and name != "none":
            bmean = sum(base) / len(base)
            cells.append(f"{100 * mean / bmean:.1f}%")
            pr = paired_ratios(rates, base)
            if len(pr) >= 2:
                m = sum(pr) / len(pr)
                sd = math.sqrt(sum((x - m) ** 2 for x in pr) / (len(pr) - 1))
                half = t95(len(pr) - 1) * sd / math.sqrt(len(pr))
                cells.append(f"{100 * m:.1f}% ± {100 * half:.1f} [{100 * min(pr):.1f}%, {100 * max(pr):.1f}%]")
            elif pr:
                cells.append(f"{100 * pr[0]:.1f}%")
            else:
                cells.append("–")
        else:
            cells += ["1", "–"] if name == "none" else ["–", "–"]
        out.append("| " + " | ".join(cells) + " |")
    slices = {k: [number(r) for r in v] for k, v in (data.get("slices") or {}).items()}
    if slices.get("none"):
        out.append("")
        out.append(f"Per cycle of slices ({st.get('sliceSeconds', '?')} s each, every variant loaded once per cycle, "
                   "so the slices of one cycle are seconds apart): the variant's rate over the baseline's in the "
                   "same cycle.")
        out.append("")
        out.append("| variant | cycles | × baseline per cycle: mean ± 95% CI | median | [10th, 90th percentile] |")
        out.append("|---|---|---|---|---|")
        for name, values in slices.items():
            if name == "none":
                continue
            pr = paired_ratios(values, slices["none"])
            if len(pr) < 2:
                continue
            m = sum(pr) / len(pr)
            sd = math.sqrt(sum((x - m) ** 2 for x in pr) / (len(pr) - 1))
            half = t95(len(pr) - 1) * sd / math.sqrt(len(pr))
            ordered = sorted(pr)

            def pct(q):
                return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]
            out.append(f"| `{name}` | {len(pr)} | {100 * m:.1f}% ± {100 * half:.1f} | {100 * pct(0.5):.1f}% | "
                       f"[{100 * pct(0.1):.1f}%, {100 * pct(0.9):.1f}%] |")
    base_cpu = cpu.get("none")
    if cpu and base_cpu:
        out.append("")
        out.append("The server JVM's CPU time per request in the same windows (all its threads; user + system from "
                   "`/proc`), and the throughput it implies against the baseline (baseline CPU ÷ variant CPU, per "
                   "round): other work on the machine changes how much CPU the server gets, much less what a "
                   "request costs.")
        out.append("")
        out.append("| variant | CPU µs/request (mean) | per round | implied × baseline per round: mean ± 95% CI [min, max] |")
        out.append("|---|---|---|---|")
        for name, values in cpu.items():
            values = [v for v in values if not math.isnan(v)]
            if not values:
                continue
            cells = [f"**{name}**" if name == "none" else f"`{name}`", f"{sum(values) / len(values):.1f}",
                     " / ".join(f"{v:.1f}" for v in values)]
            if name == "none":
                cells.append("1")
            else:
                pr = [b / v for v, b in zip(cpu[name], base_cpu) if v > 0 and not math.isnan(v) and not math.isnan(b)]
                if len(pr) >= 2:
                    m = sum(pr) / len(pr)
                    sd = math.sqrt(sum((x - m) ** 2 for x in pr) / (len(pr) - 1))
                    half = t95(len(pr) - 1) * sd / math.sqrt(len(pr))
                    cells.append(f"{100 * m:.1f}% ± {100 * half:.1f} [{100 * min(pr):.1f}%, {100 * max(pr):.1f}%]")
                else:
                    cells.append(f"{100 * pr[0]:.1f}%" if pr else "–")
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def command_spring_boot(args):
    for path in args.results:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        print(f"`{os.path.relpath(path, os.path.dirname(HERE))}`:\n")
        print(spring_boot_markdown(data))
        print()


def main(argv):
    root = os.path.dirname(HERE)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command_name", required=True)
    env = sub.add_parser("env", help="record the machine of a run")
    env.add_argument("out")
    env.add_argument("--mode", default="full", choices=["quick", "full"])
    env.add_argument("--cpus")
    env.add_argument("--pinned-cpu")
    env.add_argument("--load-before")
    env.add_argument("--load-after")
    env.add_argument("--command")
    render = sub.add_parser("render", help="write the doc and the chart from a JMH JSON result")
    render.add_argument("results")
    render.add_argument("--env")
    render.add_argument("--pinned", help="JMH result of the groups run with the JVM pinned to one CPU "
                        "(default: RESULTS-pinned.json if it exists)")
    render.add_argument("--agent", help="JMH result of group 7's plain-JDK rows run with -javaagent "
                        "(default: RESULTS-agent.json if it exists)")
    render.add_argument("--throughput", help="ServerThroughput result (default: RESULTS-throughput.json if it exists)")
    render.add_argument("--node", help="run-node.sh result (default: RESULTS-node.json if it exists)")
    render.add_argument("--markdown", default=os.path.join(root, "docs", "benchmarks.md"))
    render.add_argument("--svg", default=os.path.join(root, "docs", "benchmarks.svg"))
    render.add_argument("--template", default=os.path.join(HERE, "benchmarks-template.md"))
    merge = sub.add_parser("merge", help="replace benchmark methods of a JMH result by newer rows")
    merge.add_argument("base")
    merge.add_argument("out")
    merge.add_argument("newer", nargs="+")
    spring = sub.add_parser("spring-boot", help="print the Spring Boot starter's throughput as Markdown")
    spring.add_argument("results", nargs="+")
    args = parser.parse_args(argv)
    if args.command_name == "env":
        command_env(args)
    elif args.command_name == "merge":
        command_merge(args)
    elif args.command_name == "spring-boot":
        command_spring_boot(args)
    else:
        command_render(args)


if __name__ == "__main__":
    main(sys.argv[1:])
