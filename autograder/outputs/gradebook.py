"""The class gradebook (CSV), one HTML feedback page per student and the class report
(report.py), built from the per-student results files in ``OUT/results/``. Running it
again (or from several shards) always gives the same files for the same results: no
coordination needed.

``gradebook.csv``: ``student``, one column per test (its points), ``total``, ``max_score``
and ``grading_error``: empty for a graded submission, else why its grading failed (its
row then holds zeros that are not a score). A text cell that a spreadsheet would read as a
formula (starting with ``= + - @``, a tab or a carriage return) is written with a leading
apostrophe.

Feedback pages show only the visible tests (and the score on them) unless built with
``after_due_date=True`` (``gradebook --after-due-date``), which shows every test; the top
of the page says which."""
import csv
import html
import io
import sys
from pathlib import Path

from .. import config
from .results import atomic_write, read_results, test_id


def load_all(out_dir):
    """{student: results} for every readable results file; unreadable ones are reported."""
    found = {}
    for path in sorted((Path(out_dir) / "results").glob("*.json")):
        results = read_results(path)
        if results is None:
            print(f"autograder: skipping {path}: not a complete results file", file=sys.stderr)
            continue
        found[path.stem] = results
    return found


def spreadsheet_safe(text):
    """``text`` as a CSV cell that no spreadsheet evaluates as a formula."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def build(assignment, out_dir, after_due_date=False):
    from .report import build_report

    out_dir = Path(out_dir)
    settings = config.load(assignment)
    columns = list(settings.tests)
    everyone = load_all(out_dir)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *columns, "total", "max_score", "grading_error"])
    for student, results in everyone.items():
        by_test = {test_id(t): t.get("score", 0) for t in results.get("tests", [])}
        error = (results.get("extra_data") or {}).get("grading_error") or ""
        writer.writerow([spreadsheet_safe(student), *(f"{by_test.get(c, 0):g}" for c in columns),
                         f"{results['score']:g}", f"{results.get('max_score', 100):g}", spreadsheet_safe(error)])
        atomic_write(out_dir / "feedback" / f"{student}.html",
                     feedback_page(assignment, student, results, after_due_date))
    atomic_write(out_dir / "gradebook.csv", buffer.getvalue())
    report = build_report(settings, everyone, out_dir)
    print(f"{assignment}: gradebook of {len(everyone)} student(s) -> {out_dir / 'gradebook.csv'}, "
          f"class report -> {report}", file=sys.stderr)


def feedback_page(assignment, student, results, after_due_date=False):
    """A self-contained HTML page; every piece of text is escaped (outputs may hold student text).
    Before the due date it lists the visible tests only, and says so."""
    e = html.escape
    rows = []
    tests = [t for t in results.get("tests", []) if after_due_date or t.get("visibility") == "visible"]
    hidden = len(results.get("tests", [])) - len(tests)
    if after_due_date:
        scope = "After the due date: every test is shown."
        score, max_score = results.get("score", 0), results.get("max_score", 100)
    else:
        scope = (f"Before the due date: the visible tests only; {hidden} more test(s) are shown "
                 "after the due date.") if hidden else "Every test is visible."
        score, max_score = (sum(t.get(key, 0) for t in tests) for key in ("score", "max_score"))
    for test in tests:
        status = "passed" if test.get("status") == "passed" else "failed"
        rows.append(
            f'<tr class="{status}"><td>{e(str(test.get("name", "")))}</td>'
            f'<td>{test.get("score", 0):g} / {test.get("max_score", 0):g}</td><td>{status}</td>'
            f'<td><pre>{e(str(test.get("output", "")))}</pre></td></tr>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(assignment)}: feedback for {e(student)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.4em;vertical-align:top}} .passed td:nth-child(3){{color:green}}
.failed td:nth-child(3){{color:#b00}} pre{{white-space:pre-wrap;margin:0}}</style></head>
<body><h1>{e(assignment)}: {e(student)}</h1>
<p class="scope">{e(scope)}</p>
<p>Score{"" if after_due_date else " on these tests"}: <strong>{score:g} / {max_score:g}</strong></p>
<pre>{e(str(results.get("output", "")))}</pre>
<table><tr><th>test</th><th>points</th><th>status</th><th>feedback</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
