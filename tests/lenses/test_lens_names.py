"""Lens names are unique: a name two distributions offer is run only as ``dist:name``, never by chance.

The impostor below is a real plugin distribution (the ``install_plugins`` fixture) that offers the name of a lens
the installed ``lensengine-thug-glasses`` distribution offers, and the name of that distribution's lens pack.
"""

import logging

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.lenses.catalogue import lens_catalogue, resolve_lens
from lensengine.lenses.plugins import load_plugins
from lensengine.lenses.switcher import LensController

BUILT_IN = "lensengine-thug-glasses"

IMPOSTOR = """
import numpy as np
from lensengine.hookspecs import hookimpl
from lensengine.lens import LensSpec

class Sevens:
    def apply(self, crops, landmarks):
        return np.full_like(crops, 7)

@hookimpl
def lensengine_lenses():
    return [LensSpec(name=name, kind="face", create=Sevens, description="impostor") for name in {names}]
"""


@pytest.fixture
def impostor(install_plugins, monkeypatch, tmp_path):
    """(registry, the impostor's distribution name) with the impostor installed beside the built-in plugins."""
    monkeypatch.setenv("LENSENGINE_LENS_DIR", str(tmp_path / "no user lenses"))
    monkeypatch.delenv("LENSENGINE_PLUGINS", raising=False)
    install_plugins({"impostor": IMPOSTOR.format(names=["thug_glasses_classic", "thug_glasses", "own_lens"])})
    registry = load_plugins()
    return registry, registry.distributions["impostor"][0]


def ran_impostor(spec) -> bool:
    crops = np.zeros((1, spec.crop_size, spec.crop_size, 3), np.uint8)
    landmarks = np.zeros((1, 478, 2), np.float32)
    lens = spec.create()
    return bool((lens.apply(crops, landmarks) == 7).all())


def test_a_clash_is_reported_naming_both_distributions_and_plugins(impostor, caplog):
    registry, dist = impostor
    with caplog.at_level(logging.WARNING, logger="lensengine.plugins"):
        catalogue = lens_catalogue(registry, backend="onnxruntime")
    reports = {clash.name: clash.report() for clash in catalogue.clashes}
    assert set(reports) == {"thug_glasses_classic", "thug_glasses"}  # a plugin lens and a lens pack
    assert reports["thug_glasses_classic"] == (
        f"lens name 'thug_glasses_classic' is offered by {dist} (plugin impostor) and {BUILT_IN} "
        f"(plugin thug_glasses); neither runs by that name: choose --lens {dist}:thug_glasses_classic "
        f"or --lens {BUILT_IN}:thug_glasses_classic"
    )
    assert [r.getMessage() for r in caplog.records if "is offered by" in r.getMessage()] == list(reports.values())
    names = {spec.name for spec in catalogue}
    assert {f"{BUILT_IN}:thug_glasses", f"{dist}:thug_glasses", "own_lens"} <= names
    assert "thug_glasses_classic" not in names and "thug_glasses" not in names
    assert catalogue.qualified(next(s for s in catalogue if s.name == "own_lens")) == f"{dist}:own_lens"


@pytest.mark.parametrize("name", ["thug_glasses_classic", "thug_glasses"])
def test_an_ambiguous_name_is_one_line_listing_the_choices(impostor, name):
    registry, dist = impostor
    with pytest.raises(LensEngineError) as caught:
        resolve_lens(name, lens_catalogue(registry, backend="onnxruntime"))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"lens {name!r} is ambiguous: ")
    assert f"choose --lens {dist}:{name} or --lens {BUILT_IN}:{name}" in message


def test_dist_name_picks_the_lens_of_that_distribution(impostor):
    registry, dist = impostor
    catalogue = lens_catalogue(registry, backend="onnxruntime")
    built_in, order = resolve_lens(f"{BUILT_IN}:thug_glasses_classic", catalogue)
    assert built_in.plugin == "thug_glasses" and not ran_impostor(built_in) and built_in in order
    fake, _ = resolve_lens(f"{dist}:thug_glasses_classic", catalogue)
    assert fake.plugin == "impostor" and ran_impostor(fake)
    pack, _ = resolve_lens(f"{BUILT_IN}:thug_glasses", catalogue)
    assert pack.pack is not None and pack.pack.name == "thug_glasses"


@pytest.mark.parametrize("written", ["LensEngine_Thug_Glasses", "lensengine.thug-glasses", "lensengine__thug--glasses"])
def test_the_distribution_may_be_written_as_pep_503_normalises_it(impostor, written):
    registry, _ = impostor
    spec, _ = resolve_lens(f"{written}:thug_glasses_classic", lens_catalogue(registry, backend="onnxruntime"))
    assert spec.plugin == "thug_glasses"


def test_every_lens_answers_to_its_dist_name_too(impostor):
    registry, dist = impostor
    catalogue = lens_catalogue(registry, backend="onnxruntime")
    assert resolve_lens(f"{dist.upper()}:own_lens", catalogue)[0].name == "own_lens"
    assert resolve_lens("lensengine-landmarks:landmarks", catalogue)[0].plugin == "landmarks"
    with pytest.raises(LensEngineError, match="^unknown lens 'lensengine-landmarks:own_lens'; known lenses: "):
        resolve_lens("lensengine-landmarks:own_lens", catalogue)


def test_the_switcher_takes_dist_name_and_refuses_an_ambiguous_name(impostor, caplog):
    registry, dist = impostor
    catalogue = lens_catalogue(registry, backend="onnxruntime")
    lenses = LensController(catalogue, "own_lens")
    try:
        assert lenses._spec(f"{dist}:thug_glasses_classic").plugin == "impostor"
        with pytest.raises(LensEngineError, match="^lens 'thug_glasses_classic' is ambiguous"):
            lenses.switch("thug_glasses_classic")
        with caplog.at_level(logging.WARNING, logger="lensengine.lens"):
            lenses.handle("use:thug_glasses_classic")  # typed at run time: a warning, the lens in use stays
        assert "is ambiguous" in caplog.text and lenses.name == "own_lens"
    finally:
        lenses.close()


def test_one_distribution_offering_a_name_twice_keeps_the_first(install_plugins):
    install_plugins({"twice": IMPOSTOR.format(names=["again", "again"])})
    registry = load_plugins()
    assert registry.lens("again").plugin == "twice" and registry.clashes == []
    (failure,) = [f for f in registry.failed if f.plugin == "twice"]
    assert failure.error.startswith("lens 'again' is already provided by twice of lensengine_test_twice_")
