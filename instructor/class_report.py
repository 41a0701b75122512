"""What did the class get wrong?  report.html and report.json from a graded batch.

    python3 instructor/class_report.py OUT_DIR     # rebuild both from a finished batch, no regrading

grade_all.py writes them at the end of each batch, beside the gradebook, from
OUT_DIR/details/NAME.json (one per hand-in, handin_record.py).  report.json is
summarise()'s data; report.html shows it in one file that opens from disk
(plots embedded as PNG, no script, no network): the score distribution, each
part and graded test, the named mistakes with the hand-ins that made them,
the failures no hint named, the multiple-choice answers, the batch's timings
and the hand-ins the grader refused or stopped.  Everything a hand-in wrote
(its answers, its error texts) is escaped.
"""
import base64
import collections
import html
import io
import json
import os
import statistics
import sys
import urllib.parse

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import handin_record  # noqa: E402

# Status words of a hand-in the grader refused, stopped at a limit, or caught meddling.
STOPPED = ("bad archive", "grader error", "timeout", "memory", "crashed", "exited", "exit", "processes",
           "file size", "bad result", "tampering", "output limit")
SLOWEST, INLINE_LINKS = 5, 12


# ------------------------------------------------------------------ the data
def _tests(records, key):
    """[(test, task, max)] in the order the records list them."""
    seen = {}
    for rec in records:
        for t in rec[key]:
            seen.setdefault(t["test"], (t["test"], t["task"], t["max"]))
    return list(seen.values())


def _per_test(records, key):
    rows = []
    for test, task, points in _tests(records, key):
        mine = [(rec["handin"], t) for rec in records for t in rec[key] if t["test"] == test]
        fails = [t["outcome"] for _, t in mine if t["outcome"] != "passed"]
        unnamed = [n for n, t in mine if t["outcome"] == "wrong result" and not t["mistakes"]]
        rows.append({"test": test, "task": task, "max": points, "graded": len(mine),
                     "full": sum(t["score"] == points and t["outcome"] == "passed" for _, t in mine),
                     "partial": sum(0 < t["score"] < points for _, t in mine),
                     "zero": sum(t["score"] == 0 and t["outcome"] != "passed" for _, t in mine),
                     "statuses": collections.Counter(fails).most_common(),
                     "named": sum(any(m["id"] not in handin_record.POINTERS for m in t["mistakes"]) for _, t in mine),
                     "unnamed": len(unnamed), "unnamed_handins": unnamed})
    return rows


def _parts(records):
    tasks = collections.OrderedDict()
    for test, task, points in _tests(records, "tests"):
        tasks.setdefault(task, []).append((test, points))
    out = []
    for task, tests in tasks.items():
        points = sum(p for _, p in tests)
        names = {t for t, _ in tests}
        scores = [sum(t["score"] for t in rec["tests"] if t["test"] in names) for rec in records]
        out.append({"task": task, "tests": len(tests), "max": points, "mean": round(statistics.fmean(scores), 2),
                    "median": statistics.median(scores), "full": sum(s == points for s in scores),
                    "zero": sum(s == 0 for s in scores)})
    return out


def _mistakes(records):
    found = {}
    for rec in records:
        for t in rec["tests"] + rec["beyond"]:
            for m in t["mistakes"]:
                entry = found.setdefault(m["id"], {"id": m["id"], "quantity": m["quantity"], "hint": m["hint"],
                                                   "pointer": m["id"] in handin_record.POINTERS,
                                                   "handins": [], "tests": [], "rows": 0})
                entry["rows"] += 1
                if rec["handin"] not in entry["handins"]:
                    entry["handins"].append(rec["handin"])
                if t["test"] not in entry["tests"]:
                    entry["tests"].append(t["test"])
    for entry in found.values():
        entry["count"] = len(entry["handins"])
        if entry["id"] == handin_record.text_id(entry["hint"]) != entry["hint"]:
            entry["hint"] = entry["id"]   # one hint, several numbers: show the shared words
    return sorted(found.values(), key=lambda e: (-e["count"], -e["rows"], e["id"]))


def _multiple_choice(records):
    questions = collections.OrderedDict()
    unanswered = collections.Counter()
    for rec in records:
        mc = rec["multiple_choice"]
        if not mc or "error" in mc:
            unanswered["not run" if not mc else "mc.py failed"] += 1
            continue
        for q, v in mc.items():
            answers = questions.setdefault(q, {})
            text = clean(v["answer"])
            count, correct = answers.get(text, (0, False))
            answers[text] = (count + 1, correct or bool(v["correct"]))
    return {"questions": [{"question": q, "answers": [{"answer": a, "count": c, "correct": ok} for a, (c, ok)
                                                      in sorted(ans.items(), key=lambda kv: (-kv[1][0], kv[0]))]}
                          for q, ans in questions.items()],
            "without_answers": dict(unanswered)}


def _timings(records):
    seconds = sorted(((rec["seconds"], rec["handin"]) for rec in records), reverse=True)
    values = [s for s, _ in seconds]
    return {"median": round(statistics.median(values), 2), "mean": round(statistics.fmean(values), 2),
            "max": round(values[0], 2), "total": round(sum(values), 1),
            "slowest": [{"handin": n, "seconds": round(s, 2)} for s, n in seconds[:SLOWEST]]}


def _stopped(records):
    out = []
    for rec in records:
        words = rec["status"].split(" + ")
        if any(w in STOPPED for w in words):
            refused = [f"{clean(n)}: {clean(why)}" for n, why in rec["refused"]
                       if why != "outside mytorch/ and hw1/"]
            more = [f"and {len(refused) - 5} more (see the feedback)"] if len(refused) > 5 else []
            out.append({"handin": rec["handin"], "status": rec["status"], "refused": refused[:5] + more})
    return out


def summarise(records):
    """The report's data (report.json) from the hand-ins' records (handin_record.record())."""
    records = sorted(records, key=lambda r: r["handin"])
    totals = [rec["total"] for rec in records]
    top = max((rec["max"] for rec in records), default=0)
    counts, edges = np.histogram(totals, bins=20, range=(0, top or 1))
    part = collections.Counter(rec["part"] for rec in records).most_common(1)
    return {"part": part[0][0] if part else None, "handins": len(records), "max": top,
            "scores": {"mean": round(statistics.fmean(totals), 2), "median": statistics.median(totals),
                       "full": sum(t == top for t in totals), "zero": sum(t == 0 for t in totals),
                       "histogram": {"edges": [round(float(e), 6) for e in edges], "counts": counts.tolist()}},
            "parts": _parts(records), "tests": _per_test(records, "tests"),
            "beyond_the_course": _per_test(records, "beyond"), "mistakes": _mistakes(records),
            "multiple_choice": _multiple_choice(records), "timings": _timings(records),
            "stopped": _stopped(records),
            "by_handin": [{"handin": r["handin"], "total": r["total"], "status": r["status"], "seconds": r["seconds"],
                           "mistakes": sorted({m["id"] for t in r["tests"] + r["beyond"] for m in t["mistakes"]})}
                          for r in records]}


def clean(text):
    """A hand-in's string made printable (its answers may hold any code point)."""
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in str(text))


# ------------------------------------------------------------------ the plots
def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def histogram_png(summary):
    from matplotlib.figure import Figure
    h = summary["scores"]["histogram"]
    fig = Figure(figsize=(8, 2.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(h["edges"][:-1], h["counts"], width=np.diff(h["edges"]), align="edge", color="#3b6ea8",
           edgecolor="white")
    ax.set_xlim(0, summary["max"] or 1)
    ax.set_xlabel(f"total points (of {summary['max']})")
    ax.set_ylabel("hand-ins")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Scores of {summary['handins']} hand-ins")
    return _png(fig)


def tests_png(summary):
    from matplotlib.figure import Figure
    tests = summary["tests"]
    fig = Figure(figsize=(8, 0.8 + 0.24 * len(tests)), layout="constrained")
    ax = fig.subplots()
    names = [t["test"] for t in tests][::-1]
    left = np.zeros(len(tests))
    for key, color in (("full", "#4a9a5b"), ("partial", "#e0a526"), ("zero", "#c8473d")):
        share = np.array([t[key] / max(t["graded"], 1) for t in tests][::-1])
        ax.barh(names, share, left=left, color=color, label={"zero": "no points"}.get(key, key))
        left += share
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of hand-ins")
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return _png(fig)


# ------------------------------------------------------------------ the page
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 1em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } .n { text-align: right; white-space: nowrap; width: 1%; }
code { font-size: 0.9em; background: #f4f4f4; padding: 0 0.2em; } img { max-width: 100%; }
.ok { color: #2e7d32; font-weight: bold; } .muted { color: #666; } nav a { margin-right: 1em; }
.who { min-width: 14em; } .small { font-size: 0.88em; }
@media print { nav { display: none; } body { max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } tr, img { break-inside: avoid; } }
"""


def esc(value):
    return html.escape(clean(value), quote=True)


def _links(names):
    def link(n):
        return f'<a href="feedback/{urllib.parse.quote(n)}.txt">{esc(n)}</a>'
    head = ", ".join(link(n) for n in names[:INLINE_LINKS])
    if len(names) <= INLINE_LINKS:
        return head
    rest = ", ".join(link(n) for n in names[INLINE_LINKS:])
    return f"{head} <details><summary>and {len(names) - INLINE_LINKS} more</summary>{rest}</details>"


def _table(header, rows, numeric=()):
    head = "".join(f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def _pct(k, n):
    return f"{k} ({100 * k / n:.0f}%)" if n else "0"


def _scores_html(s):
    n, sc = s["handins"], s["scores"]
    parts = _table(["Part", "Tests", "Points", "Mean", "Median", "Full marks", "No points"],
                   [[esc(p["task"]), p["tests"], p["max"], f'{p["mean"]:.1f}', p["median"], _pct(p["full"], n),
                     _pct(p["zero"], n)] for p in s["parts"]], numeric=range(1, 7))
    return (f'<h2 id="scores">Scores</h2>\n<p>Mean {sc["mean"]:.1f}, median {sc["median"]} of {s["max"]} points; '
            f'full marks: {_pct(sc["full"], n)}; no points: {_pct(sc["zero"], n)}.</p>\n'
            f'<img src="data:image/png;base64,{histogram_png(s)}" alt="Histogram of the totals">\n'
            f"<h3>Per part</h3>\n{parts}")


def _mistakes_html(s):
    named = [m for m in s["mistakes"] if not m["pointer"]]
    rows = [[i, f'{esc(m["hint"])}<br><code>{esc(m["id"])}</code>'
             + (f' <span class="muted">({esc(m["quantity"])})</span>' if m["quantity"] else ""),
             m["count"], f'<div class="who">{_links(m["handins"])}</div>',
             f'<span class="small">{", ".join(esc(t) for t in m["tests"])}</span>']
            for i, m in enumerate(named, 1)]
    text = (_table(["#", "Mistake (the hint the grader printed)", "Hand-ins", "Who", "Tests it failed"], rows,
                   numeric=(0, 2)) if rows else "<p>No hint named a mistake in this batch.</p>\n")
    for m in s["mistakes"]:
        if m["pointer"]:
            text += (f'<p class="muted">Also, in {m["count"]} hand-in(s), {m["rows"]} failure(s) pointed upstream '
                     f'(<code>{esc(m["id"])}</code>: {esc(m["hint"])}).</p>\n')
    return ('<h2 id="mistakes">Most common named mistakes</h2>\n<p>Each hint names a wrong formula that '
            "reproduces the hand-in's numbers; <code>id</code> is its entry in "
            "<code>autograder/hw1_autograder/withheld/mistakes/</code> (or the hint's words).  A hand-in counts once "
            "per mistake, however many tests it failed.</p>\n" + text)


def _tests_html(s):
    rows = [[esc(t["test"]), esc(t["task"]), t["max"], _pct(t["full"], t["graded"]), _pct(t["partial"], t["graded"]),
             _pct(t["zero"], t["graded"]), ", ".join(f"{esc(k)} {c}" for k, c in t["statuses"][:3]) or "—",
             t["unnamed"] or ""] for t in s["tests"]]
    unnamed = [[esc(t["test"]), t["unnamed"], _links(t["unnamed_handins"])]
               for t in sorted(s["tests"] + s["beyond_the_course"], key=lambda t: -t["unnamed"]) if t["unnamed"]]
    return (f'<h2 id="tests">Per graded test</h2>\n<img src="data:image/png;base64,{tests_png(s)}" '
            f'alt="Share of hand-ins with full, partial and no points per test">\n'
            + _table(["Test", "Part", "Points", "Full", "Partial", "None", "Most common failures",
                      "Caught, not named"], rows, numeric=(2, 3, 4, 5, 7))
            + '<h3 id="unnamed">Caught but not named</h3>\n<p>Tests failed with wrong results that no hint '
              "explained: where the hints run out.</p>\n"
            + (_table(["Test", "Hand-ins", "Who"], unnamed, numeric=(1,)) if unnamed else "<p>None.</p>\n"))


def _beyond_html(s):
    rows = [[esc(t["test"]), _pct(t["full"], t["graded"]), ", ".join(f"{esc(k)} {c}" for k, c in t["statuses"][:3])
             or "—"] for t in s["beyond_the_course"]]
    return ('<h2 id="beyond">Checks beyond the course (not scored)</h2>\n'
            + (_table(["Check", "Passed", "Most common failures"], rows, numeric=(1,)) if rows else "<p>None.</p>\n"))


def _mc_html(s):
    mc = s["multiple_choice"]
    rows = [[esc(q["question"]), ", ".join(
        (f'<span class="ok">{esc(a["answer"])} &#10003;</span>' if a["correct"] else esc(repr(a["answer"])))
        + f' {a["count"]}' for a in q["answers"])] for q in mc["questions"]]
    if not rows:
        return '<h2 id="mc">Multiple choice (not scored)</h2>\n<p>No multiple-choice answers in this batch.</p>\n'
    missing = "; ".join(f"{esc(k)}: {v}" for k, v in mc["without_answers"].items())
    return ('<h2 id="mc">Multiple choice (not scored)</h2>\n<p>Each answer with how many gave it; '
            "&#10003; marks the right one.</p>\n"
            + _table(["Question", "Answers"], rows)
            + (f'<p class="muted">Without answers: {missing}.</p>\n' if missing else ""))


def _batch_html(s):
    t = s["timings"]
    slow = ", ".join(f'{_links([x["handin"]])} {x["seconds"]} s' for x in t["slowest"])
    stopped = [[_links([x["handin"]]), esc(x["status"]), "<br>".join(esc(r) for r in x["refused"]) or "—"]
               for x in s["stopped"]]
    return (f'<h2 id="batch">The batch</h2>\n<p>Grading time per hand-in: median {t["median"]} s, mean {t["mean"]} s, '
            f'slowest {t["max"]} s; {t["total"]} s in all.  Slowest: {slow}.</p>\n'
            "<h3>Refused, stopped at a limit, or caught meddling</h3>\n"
            + (_table(["Hand-in", "Status", "Files refused"], stopped) if stopped else "<p>None.</p>\n"))


def render(s):
    """The page: one HTML string, plots inline."""
    title = f"Class report: {s['part']}, {s['handins']} hand-ins"
    nav = "".join(f'<a href="#{a}">{b}</a>' for a, b in (
        ("scores", "Scores"), ("mistakes", "Mistakes"), ("tests", "Per test"), ("unnamed", "Not named"),
        ("beyond", "Beyond the course"), ("mc", "Multiple choice"), ("batch", "The batch")))
    body = (_scores_html(s) + _mistakes_html(s) + _tests_html(s) + _beyond_html(s) + _mc_html(s)
            + _batch_html(s))
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{esc(title)}</h1>\n<nav>{nav}</nav>\n{body}"
            f'<p class="muted">Rebuild: <code>python3 instructor/class_report.py OUT_DIR</code>; the data: '
            f'<a href="report.json">report.json</a>.</p>\n</body>\n</html>\n')


def _write(path, text):
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # the class's marks: private
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def write_report(out_dir):
    """Write report.json and report.html into out_dir from out_dir/details/ -> the HTML's path."""
    records = list(handin_record.read_all(os.path.join(out_dir, "details")).values())
    if not records:
        raise ValueError(f"{out_dir}/details/ holds no graded hand-in (grade_all.py writes it)")
    summary = summarise(records)
    _write(os.path.join(out_dir, "report.json"), json.dumps(summary, indent=1) + "\n")
    _write(os.path.join(out_dir, "report.html"), render(summary))
    return os.path.join(out_dir, "report.html")


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description="Rebuild report.html and report.json from a graded batch.")
    ap.add_argument("out_dir", metavar="OUT_DIR", help="the folder of the gradebook (with details/)")
    args = ap.parse_args(argv)
    try:
        print(write_report(args.out_dir))
    except (OSError, ValueError) as e:
        print(f"Cannot write the report: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
