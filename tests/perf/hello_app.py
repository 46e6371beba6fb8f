"""(a) of `make bench`: a bare Flask endpoint, the floor every figure is divided by."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
