"""Turn nbgrader's bare ``raise NotImplementedError()`` into ``STUB_MESSAGE``, which says what to write."""
import ast

BARE_STUB = "raise NotImplementedError()"
# What every stub of every student version says; docs/authoring.md quotes it.
STUB_MESSAGE = "{where} ({filename}) is not written yet: replace this line with your code; its docstring says what it must do"


def _enclosing_names(tree):
    """Map each line number to the qualified name of the innermost function around it."""
    names = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualified = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, child.end_lineno + 1):
                        names[line] = qualified
                visit(child, qualified + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return names


def name_the_stubs(text, filename):
    """Rewrite every bare stub in a generated module so its message names the function."""
    names = _enclosing_names(ast.parse(text, filename=filename))
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.strip() != BARE_STUB:
            continue
        where = names.get(number)
        if where is None:
            raise SystemExit(f"coursebuild: {filename}:{number}: a solution region must sit inside a function body")
        indent = line[: len(line) - len(line.lstrip())]
        message = STUB_MESSAGE.format(where=where, filename=filename)
        lines[number - 1] = f'{indent}raise NotImplementedError("{message}")'
    return "\n".join(lines)
