# SPDX-License-Identifier: Apache-2.0
# The package as users get it: `pip install bindings/python` into a venv without network (as on
# a Debian 12 host with python3-venv and python3-setuptools), the order in which the C library
# is looked for, and the README's examples, run as they are written.
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hallmark
from support import SOURCE_DIR

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # bindings/python
SYSTEM_PYTHON = "/usr/bin/python3"
LIBRARY = os.environ.get("HALLMARK_LIBRARY") or hallmark.library_path()
SONAME = "libhallmark-c.so.1"


def clean_env(**changes):
    """The environment without what would point Python or the loader elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "HALLMARK_LIBRARY", "HALLMARK_BUILD_DIR",
                        "LD_LIBRARY_PATH", "VIRTUAL_ENV")}
    env.update(PYTHONDONTWRITEBYTECODE="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_CACHE_DIR="1", PIP_NO_INPUT="1")
    env.update(changes)
    return env


def copy_package(into: Path) -> Path:
    """bindings/python copied, so that a build writes nothing into the checkout."""
    shutil.copytree(PACKAGE_DIR, into, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", "build", "*.egg-info", "dist"))
    return into


PROBE = ("import hallmark, json; print(json.dumps([hallmark.version(), hallmark.__file__, "
         "hallmark.library_path()]))")


def probe(python, cwd, env):
    done = subprocess.run([str(python), "-c", PROBE], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def same_file(a, b) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A venv of the system's Python (seeing its site-packages, for setuptools) with this
    package installed by its pip, offline."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip(f"no {SYSTEM_PYTHON}")
    has = subprocess.run([SYSTEM_PYTHON, "-c", "import venv, ensurepip"],
                         capture_output=True, check=False)
    if has.returncode != 0:
        pytest.skip(f"{SYSTEM_PYTHON} has no venv/ensurepip: Debian package python3-venv "
                    "is missing (add it to scripts/setup)")
    has = subprocess.run([SYSTEM_PYTHON, "-c", "import setuptools"], capture_output=True,
                         check=False)
    if has.returncode != 0:
        pytest.skip(f"{SYSTEM_PYTHON} cannot import setuptools: Debian package "
                    "python3-setuptools is missing (add it to scripts/setup)")
    root = tmp_path_factory.mktemp("venv")
    env_dir = root / "env"
    made = subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--system-site-packages", str(env_dir)],
                          env=clean_env(), capture_output=True, text=True, check=False,
                          timeout=300)
    if made.returncode != 0 and "ensurepip" in (made.stdout + made.stderr):
        pytest.skip(f"venv cannot bootstrap pip (python3-venv incomplete?): {made.stderr}")
    assert made.returncode == 0, made.stdout + made.stderr
    source = copy_package(root / "src")
    installed = subprocess.run(
        [str(env_dir / "bin" / "pip"), "install", "--no-index", "--no-build-isolation",
         str(source)], cwd=root, env=clean_env(), capture_output=True, text=True, check=False,
        timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return env_dir


def test_pip_install_into_a_venv(venv):
    python = venv / "bin" / "python"
    version, module, library = probe(python, venv.parent, clean_env(HALLMARK_LIBRARY=LIBRARY))
    assert version == hallmark.version()
    installed = Path(module).parent
    assert installed.is_relative_to(venv) and installed.name == "hallmark"
    assert (installed / "py.typed").is_file()  # PEP 561: the type hints are for users too
    assert same_file(library, LIBRARY)
    listed = subprocess.run([str(venv / "bin" / "pip"), "show", "-f", "hallmark"],
                            env=clean_env(), capture_output=True, text=True, check=True)
    assert "Version: 0.1.0" in listed.stdout and "py.typed" in listed.stdout


def test_installed_package_verifies(venv):
    demo = SOURCE_DIR / "examples" / "demo"
    script = (
        "import hallmark, sys\n"
        f"demo = {str(demo)!r}\n"
        "with hallmark.Authenticator(zone_files=[demo + '/demo.zone']) as auth:\n"
        "    v = auth.verify(open(demo + '/signed.eml', 'rb').read(), ip='192.0.2.10',\n"
        "                    helo='mail.example.com', mail_from='alice@example.com')\n"
        "print(v.spf.result, v.dkim[0].result, v.dmarc.result)\n")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", script], cwd=venv.parent,
                          env=clean_env(HALLMARK_LIBRARY=LIBRARY), capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["pass", "pass", "pass"]


def test_installed_package_finds_the_soname(venv):
    # Neither variable set and no checkout around the installed package: the dynamic
    # linker's search (here LD_LIBRARY_PATH) finds libhallmark-c.so.1.
    directory = Path(LIBRARY).parent
    if not (directory / SONAME).exists():
        pytest.skip(f"no {SONAME} beside {LIBRARY}")
    _, _, library = probe(venv / "bin" / "python", venv.parent,
                          clean_env(LD_LIBRARY_PATH=str(directory)))
    assert same_file(library, LIBRARY)


# ---- the library's search order -------------------------------------------------------------

def build_dir_of(library: str):
    """The CMake build directory a build's library lies in (<build>/lib/capi/...)."""
    path = Path(library).resolve()
    if path.parent.name != "capi" or path.parent.parent.name != "lib":
        return None
    return path.parents[2]


def test_build_dir_variable(tmp_path):
    build = os.environ.get("HALLMARK_BUILD_DIR") or build_dir_of(LIBRARY)
    if build is None:
        pytest.skip(f"{LIBRARY} is not in a build tree")
    _, _, library = probe(sys.executable, PACKAGE_DIR, clean_env(HALLMARK_BUILD_DIR=str(build)))
    assert same_file(library, Path(build) / "lib" / "capi" / SONAME)
    # HALLMARK_LIBRARY comes first.
    _, _, library = probe(sys.executable, PACKAGE_DIR,
                          clean_env(HALLMARK_BUILD_DIR=str(tmp_path), HALLMARK_LIBRARY=LIBRARY))
    assert same_file(library, LIBRARY)
    # Given, but nothing there: an error naming the variable, no fall back.
    done = subprocess.run([sys.executable, "-c", "import hallmark"], cwd=PACKAGE_DIR,
                          env=clean_env(HALLMARK_BUILD_DIR=str(tmp_path)),
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "HALLMARK_BUILD_DIR" in done.stderr


def test_checkout_build_tree(tmp_path):
    # A checkout: <root>/bindings/python/hallmark, <root>/include/hallmark/hallmark.h and
    # <root>/build/lib/capi/libhallmark-c.so.1; imported from there without any variable.
    root = tmp_path / "checkout"
    copy_package(root / "bindings" / "python")
    (root / "include" / "hallmark").mkdir(parents=True)
    (root / "include" / "hallmark" / "hallmark.h").write_text("/* stand-in */\n")
    env = clean_env()
    # Without the build tree it would be the system's library, if any: not ours.
    built = root / "build" / "lib" / "capi" / SONAME
    built.parent.mkdir(parents=True)
    built.symlink_to(os.path.realpath(LIBRARY))
    version, module, library = probe(sys.executable, root / "bindings" / "python", env)
    assert Path(module).resolve().is_relative_to(root.resolve())
    assert same_file(library, built)
    # Not a checkout (no include/hallmark/hallmark.h): the build tree is not looked at.
    (root / "include" / "hallmark" / "hallmark.h").unlink()
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=root / "bindings" / "python",
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode == 0:  # an installed libhallmark-c was found instead
        assert not same_file(json.loads(done.stdout)[2], built)
    else:
        assert "ImportError" in done.stderr


def test_library_that_cannot_load():
    env = clean_env(HALLMARK_LIBRARY="/nonexistent/libhallmark-c.so.1")
    done = subprocess.run(
        [sys.executable, "-c", "import hallmark"], env=env, capture_output=True, text=True,
        cwd=PACKAGE_DIR, check=False)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "HALLMARK_LIBRARY" in done.stderr


def test_library_path():
    assert same_file(hallmark.library_path(), LIBRARY)


# ---- the README -----------------------------------------------------------------------------

def readme_examples():
    text = (PACKAGE_DIR / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_has_examples():
    examples = readme_examples()
    assert len(examples) >= 3
    assert any("AsyncAuthenticator" in e for e in examples)


@pytest.mark.parametrize("index", range(len(readme_examples())))
def test_readme_example_runs(index, tmp_path):
    # Each python block of the README runs as written, from the top of the checkout (its
    # paths are relative to it), with the package and the library of this test run.
    example = readme_examples()[index]
    script = tmp_path / f"example{index}.py"
    script.write_text(example)
    env = clean_env(HALLMARK_LIBRARY=LIBRARY, PYTHONPATH=str(PACKAGE_DIR))
    done = subprocess.run([sys.executable, str(script)], cwd=SOURCE_DIR, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, f"README example {index}:\n{example}\n{done.stderr}"


# ---- type hints -----------------------------------------------------------------------------

def public_callables():
    import inspect
    for name in hallmark.__all__:
        value = getattr(hallmark, name)
        if inspect.isclass(value):
            if issubclass(value, BaseException):
                continue
            for attribute, member in vars(value).items():
                if attribute.startswith("_") and attribute not in ("__init__", "__aenter__"):
                    continue
                member = getattr(member, "__func__", member)  # classmethods
                if isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    yield f"{name}.{attribute}", member
        elif inspect.isfunction(value):
            yield name, value


def test_public_api_is_typed():
    import inspect
    import typing
    checked = 0
    for name, function in public_callables():
        hints = typing.get_type_hints(function)  # every annotation resolves
        signature = inspect.signature(function)
        assert "return" in hints, f"{name} has no return type"
        for parameter in list(signature.parameters.values())[1:] if "." in name else \
                signature.parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            assert parameter.name in hints, f"{name}({parameter.name}) has no type"
        checked += 1
    assert checked > 30
