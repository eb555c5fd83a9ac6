"""Which top-level import names an installed distribution provides, from its name alone.

Most distributions install a package named like themselves (`celery` -> `celery`, `python-multipart` ->
`python_multipart`); the table lists the well-known ones that do not. Nothing is downloaded or imported:
when a name is not in the table, the normalised distribution name is the only guess, so a start command
may still be reported for a module an unusual distribution provides under another name.
"""

from __future__ import annotations

# Canonical distribution name -> the top-level modules it installs, where they differ from the name.
IMPORT_NAMES = {
    "beautifulsoup4": ("bs4",),
    "django-environ": ("environ",),
    "djangorestframework": ("rest_framework",),
    "fastapi-cli": ("fastapi_cli",),
    "flask-sqlalchemy": ("flask_sqlalchemy",),
    "google-cloud-storage": ("google",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "pillow": ("PIL",),
    "psycopg2-binary": ("psycopg2",),
    "psycopg-binary": ("psycopg",),
    "pyjwt": ("jwt",),
    "pymupdf": ("fitz", "pymupdf"),
    "python-dateutil": ("dateutil",),
    "python-dotenv": ("dotenv",),
    "python-jose": ("jose",),
    "python-multipart": ("multipart", "python_multipart"),
    "python-telegram-bot": ("telegram",),
    "pyyaml": ("yaml",),
    "scikit-learn": ("sklearn",),
    "setuptools": ("setuptools", "pkg_resources"),
    "uvicorn-worker": ("uvicorn_worker",),
}


def import_names(distribution: str) -> tuple[str, ...]:
    """The top-level import names of a distribution (`distribution` canonical, without extras)."""
    return IMPORT_NAMES.get(distribution, (distribution.replace("-", "_").replace(".", "_"),))
