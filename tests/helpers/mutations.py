"""Random mutations of realistic service files, for the bounded fuzz test and the long fuzz run."""

from __future__ import annotations

import random

from helpers.paths import FIXTURES

CORPUS = FIXTURES / "corpus"
SEEDS = [path.read_bytes().decode("utf-8", "replace") for path in sorted(CORPUS.glob("*.json"))]
OTHER_SEEDS = {
    "railway.toml": '[deploy]\nstartCommand = "uvicorn main:app --host 0.0.0.0 --port $PORT"\nhealthcheckPath = "/h"\n',
    ".python-version": "3.12\n",
    "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]>=0.30 ; python_version >= '3.10'\n-r extra.txt\n",
    "Procfile": "web: gunicorn --bind 0.0.0.0:$PORT app:app\n",
    "main.py": "from fastapi import APIRouter, FastAPI\napp = FastAPI()\nr = APIRouter(prefix='/v1')\n@r.get('/h')\ndef h(): ...\napp.include_router(r)\n",
}


def _mutations(text: str, rng: random.Random) -> str:
    """One random mutation of a config text: bytes, tokens, structure, comments, encodings."""
    choice = rng.randrange(9)
    position = rng.randrange(len(text) + 1)
    if choice == 0:
        return text[:position] + text[position + 1 :]
    if choice == 1:
        return text[:position] + rng.choice('{}[],:"\\/*\n\r\t') + text[position:]
    if choice == 2:
        return (
            text[:position]
            + rng.choice(["//c\n", "/* x */", "/*", "*/", "\ufeff", "\x00", "\u2028", "9" * 400, "1e999", "-0.0e-7"])
            + text[position:]
        )
    if choice == 3:
        return "[" * rng.randrange(1, 3000) + text
    if choice == 4:
        return text.replace("\n", "\r\n")
    if choice == 5:
        return text.replace('"', "'", rng.randrange(1, 4))
    if choice == 6:
        return text[: position // 2]
    if choice == 7:
        return text + text
    return "".join(reversed(text[position : position + 40])).join([text[:position], text[position + 40 :]])


def mutated_service(rng: random.Random) -> dict[str, bytes]:
    """Files of one service (relative to it), each a corpus or seed file put through a few mutations."""
    files: dict[str, bytes] = {}
    for name in ("railpack.json", "railway.json", *OTHER_SEEDS):
        if rng.random() < 0.7:
            text = rng.choice(SEEDS) if name.endswith(".json") else OTHER_SEEDS[name]
            for _ in range(rng.randrange(1, 4)):
                text = _mutations(text, rng)
            data = text.encode("utf-8", "surrogatepass")
            files[name] = data if rng.random() < 0.9 else data + b"\xff\xfe"
    files.setdefault("railpack.json", b"{}")
    return files
