"""The pipeline: parse, speech text, synthesise, encode and publish documents."""

import importlib
import importlib.util
import sys
import types


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in sys.modules for a module until one of its attributes is first asked for."""

    # importlib.util.LazyLoader cannot do this here: `import` itself reads the module's
    # __spec__, which makes LazyLoader load it at once. A missing attribute, which only a
    # real use of the module asks for, reaches __getattr__.
    def __getattr__(self, attribute: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        self.__dict__.update(vars(importlib.import_module(self.__name__)))
        return object.__getattribute__(self, attribute)


def _import_when_used(name: str) -> None:
    """Register module `name` to be imported when it is first used, not when it is imported."""
    if name not in sys.modules and importlib.util.find_spec(name) is not None:
        sys.modules[name] = _ImportedOnFirstUse(name)


# beautifulsoup4 imports soupsieve, its CSS selector engine, whenever bs4 is imported, and
# soupsieve compiles its whole grammar then: 50-80 ms of every build that reads a page. The
# pipeline never selects with CSS, so soupsieve is loaded only if someone does.
_import_when_used("soupsieve")
