"""Running a prompt over a dataset: each example a traced call, all in a new experiment."""
