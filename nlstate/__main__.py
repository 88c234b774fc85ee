from nlstate.cli import run

run()
