"""The class gradebook (CSV), one HTML feedback page per student and the class report
(report.py), built from the per-student results files in ``OUT/results/``. Running it
again (or from several shards) always gives the same files for the same results: no
coordination needed.

``gradebook.csv``: ``student``, one column per test (its points), ``total``, ``max_score``
and ``grading_error``: empty for a graded submission, else why its grading failed (its
row then holds zeros that are not a score)."""
import csv
import html
import io
import sys
from pathlib import Path

from . import config
from .results import atomic_write, read_results


def test_id(test):
    extra = test.get("extra_data")
    return extra.get("test") if isinstance(extra, dict) and "test" in extra else test.get("name", "?")


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


def build(assignment, out_dir):
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
        writer.writerow([student, *(f"{by_test.get(c, 0):g}" for c in columns),
                         f"{results['score']:g}", f"{results.get('max_score', 100):g}", error])
        atomic_write(out_dir / "feedback" / f"{student}.html", feedback_page(assignment, student, results))
    atomic_write(out_dir / "gradebook.csv", buffer.getvalue())
    report = build_report(settings, everyone, out_dir)
    print(f"{assignment}: gradebook of {len(everyone)} student(s) -> {out_dir / 'gradebook.csv'}, "
          f"class report -> {report}", file=sys.stderr)


def feedback_page(assignment, student, results):
    """A self-contained HTML page; every piece of text is escaped (outputs may hold student text)."""
    e = html.escape
    rows = []
    for test in results.get("tests", []):
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
<p>Score: <strong>{results.get("score", 0):g} / {results.get("max_score", 100):g}</strong></p>
<pre>{e(str(results.get("output", "")))}</pre>
<table><tr><th>test</th><th>points</th><th>status</th><th>feedback</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
