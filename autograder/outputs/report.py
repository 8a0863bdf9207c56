"""The class report: ``OUT/report.html`` with matplotlib figures beside it (``report-*.png``).

Built from the same per-student results files as ``gradebook.csv`` (``gradebook.build``
writes both), so the two always agree. The page shows

* the score histogram (percent of the maximum, bins of 10 points, 100 % in the last bin);
* the pass rate of every test and its mean points (item analysis);
* the most frequent named misconceptions, read from ``extra_data.misconceptions`` of each
  results file ({test: [names]} or {test: {name: count}}), counted once per student;
  "none recorded" when no results file has any;
* grading time per submission (``execution_time``);
* the submissions whose grading failed (``extra_data.grading_error``), with the reason.

Submissions whose grading failed are left out of the score, pass-rate and misconception
statistics (their zero is not a score) and listed on their own. The page links its images
by relative path, loads nothing else and escapes every piece of text that comes from
results files, so it opens from disk in any browser.
"""
import html
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from .results import atomic_write, test_id

FIGURES = {"scores": "report-scores.png", "pass_rates": "report-pass-rates.png",
           "misconceptions": "report-misconceptions.png", "times": "report-times.png"}
BINS = [(low, low + 10) for low in range(0, 100, 10)]  # percent; the last bin holds 100
TOP_MISCONCEPTIONS = 15


def grading_error(results):
    extra = results.get("extra_data")
    return extra.get("grading_error") if isinstance(extra, dict) else None


def percent(results):
    maximum = results.get("max_score") or 100
    return 100.0 * float(results.get("score", 0)) / float(maximum)


def bin_label(low, high):
    return f"{low}–{high}" + (" %" if high < 100 else " % (100 included)")


def histogram(percents):
    """[(label, count)] over BINS."""
    counts = [0] * len(BINS)
    for value in percents:
        counts[min(int(value // 10), len(BINS) - 1) if value >= 0 else 0] += 1
    return [(bin_label(low, high), n) for (low, high), n in zip(BINS, counts)]


def plain(name):
    """A misconception's name as plain text: results graded before the names lost their markdown
    emphasis (``Adam *without bias correction*``) show without the asterisks too."""
    return " ".join(str(name).replace("*", "").split())


def misconception_names(entry):
    """The names in one test's ``extra_data.misconceptions`` entry (list or {name: count})."""
    if isinstance(entry, dict):
        return [plain(name) for name, count in entry.items() if count]
    if isinstance(entry, (list, tuple)):
        return [plain(name) for name in entry]
    return [plain(entry)] if entry else []


def summarise(assignment, everyone):
    """Everything the page shows, as plain data: {student: results} -> dict."""
    graded = {s: r for s, r in everyone.items() if not grading_error(r)}
    failed = {s: str(grading_error(r)) for s, r in everyone.items() if grading_error(r)}
    percents = [percent(r) for r in graded.values()]
    items = []
    for name, entry in assignment.tests.items():
        outcomes = []
        for results in graded.values():
            test = next((t for t in results.get("tests", []) if test_id(t) == name), None)
            outcomes.append((test is not None and test.get("status") == "passed",
                             float(test.get("score", 0)) if test else 0.0))
        n = len(outcomes)
        items.append({"test": name, "points": entry.points,
                      "passed": sum(p for p, _ in outcomes),
                      "pass_rate": sum(p for p, _ in outcomes) / n if n else 0.0,
                      "mean_points": sum(s for _, s in outcomes) / n if n else 0.0})
    students_with = Counter()
    tests_of = defaultdict(set)
    recorded = False
    for results in graded.values():
        found = (results.get("extra_data") or {}).get("misconceptions")
        if not isinstance(found, dict):
            continue
        recorded = True
        names = set()
        for test, entry in found.items():
            for name in misconception_names(entry):
                names.add(name)
                tests_of[name].add(str(test))
        students_with.update(names)
    misconceptions = [{"name": name, "students": count, "tests": sorted(tests_of[name])}
                      for name, count in sorted(students_with.items(), key=lambda kv: (-kv[1], kv[0]))]
    times = {s: float(r.get("execution_time", 0) or 0) for s, r in everyone.items()}
    return {
        "assignment": assignment.name, "students": len(everyone), "graded": len(graded),
        "scores": {s: float(r.get("score", 0)) for s, r in graded.items()},
        "mean": statistics.fmean(percents) if percents else None,
        "median": statistics.median(percents) if percents else None,
        "histogram": histogram(percents), "items": items,
        "misconceptions": misconceptions[:TOP_MISCONCEPTIONS], "misconceptions_recorded": recorded,
        "times": times, "errors": dict(sorted(failed.items())),
        "review": {s: [str(reason) for reason in (r.get("extra_data") or {}).get("review", [])]
                   for s, r in sorted(graded.items()) if (r.get("extra_data") or {}).get("review")},
    }


def draw(summary, out_dir):
    """Write the PNG figures; returns {figure key: file name} of those drawn."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    drawn = {}

    def save(figure, key):
        path = Path(out_dir) / FIGURES[key]
        tmp = path.with_name(f".{path.name}.tmp.png")
        figure.tight_layout()
        figure.savefig(tmp, dpi=90)
        plt.close(figure)
        tmp.replace(path)
        drawn[key] = FIGURES[key]

    figure, axes = plt.subplots(figsize=(7, 3.2))
    labels = [f"{low}" for low, _ in BINS]
    axes.bar(labels, [n for _, n in summary["histogram"]], color="#4477aa", align="edge", width=0.9)
    axes.set_xlabel("score, % of the maximum (bins of 10; 100 in the last)")
    axes.set_ylabel("submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"{summary['assignment']}: scores of {summary['graded']} graded submission(s)")
    save(figure, "scores")

    items = summary["items"]
    figure, axes = plt.subplots(figsize=(7, 0.32 * len(items) + 1.2))
    axes.barh([i["test"] for i in items][::-1], [100 * i["pass_rate"] for i in items][::-1], color="#228833")
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions that passed the test, %")
    axes.set_title("pass rate per test")
    save(figure, "pass_rates")

    if summary["misconceptions"]:
        found = summary["misconceptions"]
        figure, axes = plt.subplots(figsize=(7, 0.32 * len(found) + 1.2))
        axes.barh([m["name"][:60] for m in found][::-1], [m["students"] for m in found][::-1], color="#cc6677")
        axes.set_xlabel("submissions showing it")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title("most frequent named misconceptions")
        save(figure, "misconceptions")

    times = sorted(summary["times"].values())
    if times:
        figure, axes = plt.subplots(figsize=(7, 3.2))
        axes.hist(times, bins=min(30, max(5, len(times) // 3)), color="#aa7744")
        axes.set_xlabel("grading time per submission, s")
        axes.set_ylabel("submissions")
        axes.set_title("grading time")
        save(figure, "times")
    return drawn


def render(summary, drawn):
    """The HTML page (all text from results files escaped)."""
    e = lambda value: html.escape(str(value))  # noqa: E731

    def figure(key, alt):
        return f'<p><img src="{e(drawn[key])}" alt="{e(alt)}"></p>' if key in drawn else ""

    def fmt(value):
        return "–" if value is None else f"{value:.1f} %"

    rows = "".join(f"<tr><td>{e(label)}</td><td>{n}</td></tr>" for label, n in summary["histogram"])
    items = "".join(
        f'<tr><td>{e(i["test"])}</td><td>{i["points"]:g}</td><td>{i["passed"]}</td>'
        f'<td>{100 * i["pass_rate"]:.1f} %</td><td>{i["mean_points"]:.2f}</td></tr>' for i in summary["items"])
    if summary["misconceptions"]:
        found = "".join(f'<tr><td>{e(m["name"])}</td><td>{m["students"]}</td><td>{e(", ".join(m["tests"]))}</td></tr>'
                        for m in summary["misconceptions"])
        misconceptions = (figure("misconceptions", "bar chart of the most frequent misconceptions") +
                          '<table id="misconceptions"><tr><th>misconception</th><th>submissions</th>'
                          f"<th>in tests</th></tr>{found}</table>")
    else:
        misconceptions = '<p id="misconceptions">none recorded</p>'
    times = summary["times"]
    slowest = sorted(times.items(), key=lambda kv: -kv[1])[:10]
    time_rows = "".join(f"<tr><td>{e(s)}</td><td>{t:.2f}</td></tr>" for s, t in slowest)
    time_summary = (f"median {statistics.median(times.values()):.2f} s, mean {statistics.fmean(times.values()):.2f} s, "
                    f"total {sum(times.values()):.1f} s over {len(times)} submission(s)") if times else "no submissions"
    if summary["errors"]:
        error_rows = "".join(f"<tr><td>{e(s)}</td><td>{e(reason)}</td></tr>" for s, reason in summary["errors"].items())
        errors = f'<table id="errors"><tr><th>student</th><th>reason</th></tr>{error_rows}</table>'
    else:
        errors = '<p id="errors">none: every submission was graded</p>'
    flagged = summary.get("review", {})
    review = ('<table id="review"><tr><th>student</th><th>why a person should look</th></tr>' + "".join(
        f"<tr><td>{e(s)}</td><td>{e('; '.join(reasons))}</td></tr>" for s, reasons in flagged.items())
        + "</table>") if flagged else '<p id="review">none</p>'
    name = e(summary["assignment"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name}: class report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}} table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}} img{{max-width:100%}}</style></head>
<body><h1>{name}: class report</h1>
<p id="summary">{summary["students"]} submission(s), {summary["graded"]} graded, {len(summary["errors"])} not graded.
Mean score {fmt(summary["mean"])}, median {fmt(summary["median"])} (of the graded submissions).</p>
<h2>Scores</h2>
{figure("scores", "histogram of the scores")}
<table id="histogram"><tr><th>score</th><th>submissions</th></tr>{rows}</table>
<h2>Pass rate per test</h2>
{figure("pass_rates", "pass rate of every test")}
<table id="items"><tr><th>test</th><th>points</th><th>passed</th><th>pass rate</th><th>mean points</th></tr>{items}</table>
<h2>Most frequent named misconceptions</h2>
{misconceptions}
<h2>Grading time per submission</h2>
<p id="times">{time_summary}.</p>
{figure("times", "histogram of grading times")}
<table id="slowest"><tr><th>slowest</th><th>seconds</th></tr>{time_rows}</table>
<h2>Submissions whose grading failed</h2>
{errors}
<h2>Submissions flagged for review</h2>
{review}
</body></html>
"""


def build_report(assignment, everyone, out_dir):
    """Write OUT/report.html and its figures for {student: results}; returns the page's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarise(assignment, everyone)
    drawn = draw(summary, out_dir)
    for key, file_name in FIGURES.items():  # a figure not drawn this time must not linger
        if key not in drawn:
            (out_dir / file_name).unlink(missing_ok=True)
    path = out_dir / "report.html"
    atomic_write(path, render(summary, drawn))
    return path
