"""Public names of a package that load their module on first use.

Provides
--------
lazy_exports
    Make a package's public names load their module on first use (PEP 562),
    so that ``import smvar.geodetector`` costs nothing until a name is used
    and a command such as ``smvar detect --help`` starts in a fraction of a
    second.
"""

from __future__ import annotations

import importlib
import sys
import types

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, str]) -> None:
    """Give the package ``package`` lazily loaded public names.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (call this from its ``__init__``).
    exports : dict
        Public name -> the module that defines it (``"smvar.geodetector.factor"``).

    Notes
    -----
    A name is imported once and then kept in the package's namespace. Where a
    public name is also the name of the module defining it
    (``smvar.geodetector.discretise`` defines ``discretise``), the package
    attribute is the function, as an eager ``from .discretise import
    discretise`` in the ``__init__`` would make it, whichever code imports the
    module first.
    """

    class LazyPackage(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            if name not in exports:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            value = getattr(importlib.import_module(exports[name]), name)
            setattr(self, name, value)
            return value

        def __dir__(self) -> list:
            return sorted(set(vars(self)) | set(exports))

        def __setattr__(self, name: str, value: object) -> None:
            if isinstance(value, types.ModuleType) and exports.get(name) == value.__name__:
                value = getattr(value, name)  # the import system binding the submodule
            super().__setattr__(name, value)

    sys.modules[package].__class__ = LazyPackage
