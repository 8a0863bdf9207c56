"""``python -m coursebuild {student,solutions,release,nbgrader-course} [ASSIGNMENT ...] [--out DIR]``.

``release`` rebuilds the student and solution versions first, so the zips always hold what
``source/`` says. ``nbgrader-course`` fills an nbgrader course directory (``--out``, default
``build/nbgrader``; ``--roster students.csv`` adds the students).
"""
import argparse
from pathlib import Path

from .release import release
from .sources import ASSIGNMENTS, REPO, SOURCE
from .versions import build_solution, build_student, write_suite_checks

DEFAULT_OUT = {"student": REPO / "assignments", "solutions": REPO / "solutions"}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursebuild", description=__doc__)
    parser.add_argument("command", choices=["student", "solutions", "release", "nbgrader-course"])
    parser.add_argument("assignments", nargs="*", help=f"default: every assignment in {SOURCE}")
    parser.add_argument("--out", type=Path, help="folder to write <assignment>/ into (student/solutions), "
                                                     "or the course directory (nbgrader-course)")
    parser.add_argument("--roster", type=Path, help="nbgrader-course: a CSV of students with an `id` column")
    args = parser.parse_args(argv)
    chosen = args.assignments or [a for a in ASSIGNMENTS if (SOURCE / a).is_dir()]
    if args.command == "nbgrader-course":
        from .nbgrader_course import fill_course

        course = fill_course(args.out or REPO / "build" / "nbgrader", chosen, args.roster)
        print(f"wrote the nbgrader course directory {course} ({', '.join(chosen)})")
        return
    if args.command == "release":
        # the zips hold what source/ says now: rebuild both versions first
        main(["student", *args.assignments])
        main(["solutions", *args.assignments])
    if args.command == "student" and args.out is None:
        print(f"wrote {write_suite_checks().relative_to(REPO)}")
    for assignment in chosen:
        if args.command == "release":
            for bundle in release(assignment):
                print(f"wrote {bundle.relative_to(REPO)}")
            continue
        build = build_student if args.command == "student" else build_solution
        out = (args.out or DEFAULT_OUT[args.command]) / assignment
        build(assignment, out)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
