from gemeval.cli import app

app(prog_name="gemeval")
