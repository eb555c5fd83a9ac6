"""The repository layout railcheck knows: the file names that make a service or shape its build, the folders
it never looks into, and its limits.

Plain constants, importing nothing: every module may import them, so each name is defined once. What the
files mean is elsewhere (discovery, loading, facts, providers); where a value follows Railpack or Railway,
docs/railpack-facts.md has the source.
"""

from __future__ import annotations

from pathlib import PurePosixPath

# --- what makes a folder a service -------------------------------------------------------------------------

RAILPACK_FILE = "railpack.json"
RAILWAY_FILES = ("railway.toml", "railway.json")  # railway.toml wins when both exist
SERVICE_MARKERS = (RAILPACK_FILE, *RAILWAY_FILES)
# Railway's infrastructure-as-code files; the CLI reads the `.railway/` folder of the repository root.
IAC_FILES = (PurePosixPath(".railway/railway.py"), PurePosixPath(".railway/railway.ts"))
# What makes a folder the root of a checked repository (besides a pyproject.toml with [tool.railcheck]).
OWN_CONFIG = "railcheck.toml"
ROOT_MARKERS = (OWN_CONFIG, ".git")

# --- files at a service's root that decide how Railpack builds it (docs/railpack-facts.md, "Effective values") ---

# The loader reads them with the configs, so their problems are reported with the rest.
SERVICE_FILES = (
    ".python-version",
    ".tool-versions",
    "mise.toml",
    ".mise.toml",
    "runtime.txt",
    "Pipfile",
    "pyproject.toml",
    "requirements.txt",
    "Procfile",
    "package.json",
)
MAIN_FILES = ("main.py", "app.py", "start.py", "bot.py", "hello.py", "server.py")
PYTHON_MARKERS = (*MAIN_FILES, "requirements.txt", "pyproject.toml", "Pipfile")
# Providers Railpack tries before Python, and the root files that make them match (core/providers/provider.go).
EARLIER_PROVIDERS = (
    ("php", ("composer.json", "index.php")),
    ("golang", ("go.mod", "go.work", "main.go")),
    # Java needs the Gradle wrapper or a Maven pom; a bare build.gradle does not match.
    ("java", ("pom.xml", "pom.atom", "pom.clj", "pom.groovy", "pom.rb", "pom.scala", "pom.yaml", "pom.yml", "gradlew")),
    ("rust", ("Cargo.toml",)),
    ("ruby", ("Gemfile",)),
    ("elixir", ("mix.exs",)),
)

# --- what railcheck never looks into --------------------------------------------------------------------------

# railcheck's own result cache folder at the repository root (railcheck.cache).
CACHE_DIR = ".railcheck_cache"
# Never searched: VCS metadata, dependency trees, caches. Discovery also skips what .gitignore or `exclude` names.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        CACHE_DIR,
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
    }
)

# git's ignore file in each folder; discovery honours it (railcheck/ignore_files.py), and build outputs read it.
GITIGNORE = ".gitignore"

# --- limits ---------------------------------------------------------------------------------------------------

# More services than this are not checked (RC007): a safety limit, far above real monorepos.
MAX_SERVICES = 20_000
# Larger files are reported, not read: config files and the modules rules read are far smaller.
MAX_FILE_BYTES = 2 * 1024 * 1024
PATH_MAX = 4096  # Linux's PATH_MAX: no longer path opens, so none is looked at (or keyed by the cache)
# How many files a listing of a folder's files (`Repository.files_under`) returns at most, unless told.
FILES_UNDER_LIMIT = 5000
