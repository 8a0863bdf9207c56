"""The course autograder: hidden pytest suites run in the grader; student code runs only in
a sandboxed worker process that exchanges plain data (JSON + .npy) with it."""
