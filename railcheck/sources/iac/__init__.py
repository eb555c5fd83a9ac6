"""Railway infrastructure as code (`.railway/railway.py`, `.railway/railway.ts`), read statically.

Owns: turning one IaC project file into the services it declares (name, root directory, start command,
health check, build and pre-deploy commands, watch patterns, variables, domains, config file, replicas),
the databases it declares, and the places where the file is too dynamic to read, each with offsets into
the file. This module is the package's public API: `read_iac` and what it returns (`IacFile`,
`IacService`, `IacValue`, `UNKNOWN`), and `built_elsewhere`.

The files are programs; railcheck never imports, executes or evaluates them. Python is parsed with the
standard library's `ast` module, TypeScript with tree-sitter's TypeScript grammar. A small evaluator then
follows literals, and names bound once to literals, through the SDK calls; how each setting is resolved
mirrors the SDKs' own code, which differs between the languages (see `settings`). Text joined from known
parts (f-strings, template literals, `+`) is known, and so is a conditional whose branches agree (two dicts
agree on the keys they set alike). Anything else that is not a literal (a call, an environment lookup, a
placeholder that is not known, a name bound more than once or in a loop) becomes `UNKNOWN` with a reason;
nothing is guessed.

The modules, one job each, each importing only those listed above it:

- `values`: the public results and the language-neutral values that both front ends produce;
- `settings`: from a program's result to services, databases and each service's settings;
- `origin`: which services are not built from this repository (an image, a function, another repository);
- `scopes`: the names a file binds, scope by scope, and every place that binds each;
- `reader`: the steps of reading a program that both front ends share (names, helper calls, programs);
- `python_expressions`: evaluating Python expressions (`ast`) into values;
- `python`: the Python front end's statements (bindings, the whole-file scan, programs, helper functions);
- `typescript_syntax`: tree-sitter's parser and helpers on its nodes;
- `typescript_expressions` and `typescript`: the same two layers for TypeScript;
- `mentions`: whether and where a file calls `service(...)` at all, whatever the reader made of it.
"""

from __future__ import annotations

from railcheck.sources.iac.origin import built_elsewhere
from railcheck.sources.iac.python import PythonReader
from railcheck.sources.iac.typescript import TypeScriptReader
from railcheck.sources.iac.values import UNKNOWN, IacFile, IacService, IacValue
from railcheck.sources.text import ParseFailure

__all__ = ["UNKNOWN", "IacFile", "IacService", "IacValue", "built_elsewhere", "read_iac"]


def read_iac(text: str, language: str) -> IacFile | ParseFailure:
    """Read one IaC file; `language` is "python" or "typescript". ParseFailure for syntax errors. Never raises."""
    try:
        if language == "python":
            return PythonReader(text).read()
        if language == "typescript":
            return TypeScriptReader(text).read()
        return ParseFailure(f"unsupported IaC language {language!r}", 0, 0)
    except RecursionError:
        return ParseFailure("cannot analyse this file: it is nested too deeply", 0, min(1, len(text)))
    except Exception as error:  # a bug here must cost one file, never the whole run
        return ParseFailure(f"cannot analyse this file ({type(error).__name__})", 0, min(1, len(text)))
