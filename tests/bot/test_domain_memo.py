"""bot.domain_memo: the model's domain schema-checked once per text, the same Domain either way."""
from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.exceptions import YamlException

from bot import domain_memo
from bot.settings import load_settings
from bot.training import model_path


@pytest.fixture(scope="module")
def model_domain(tmp_path_factory) -> Path:
    """The domain.yml of the trained model (as Rasa stores it), else one written from the project's domain."""
    folder = tmp_path_factory.mktemp("domain")
    model = model_path(load_settings())
    if model.is_file():
        with tarfile.open(model, "r:gz") as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith("domain_provider/domain.yml"))
            (folder / "domain.yml").write_bytes(archive.extractfile(member).read())
    else:
        Domain.from_path(Path(__file__).resolve().parents[2] / "var" / "build" / "domain").persist(folder / "domain.yml")
    return folder


def _calls(monkeypatch) -> list[int]:
    import rasa.shared.utils.validation as validation

    calls: list[int] = []
    real = validation.validate_yaml_schema

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, "validate_yaml_schema", counting)
    return calls


def test_checked_once_then_the_same_domain(model_domain, tmp_path, monkeypatch):
    checks, memo = _calls(monkeypatch), tmp_path / "memo.txt"
    first = domain_memo.load_domain(model_domain, memo)
    assert len(checks) == 1 and memo.read_text().split() == [domain_memo.content_key((model_domain / "domain.yml").read_text())]
    second = domain_memo.load_domain(model_domain, memo)
    assert len(checks) == 1  # the listed text is not checked again
    stock = Domain.from_path(model_domain)
    assert first.as_dict() == stock.as_dict() == second.as_dict()
    assert second.fingerprint() == stock.fingerprint()


def test_another_text_is_checked(model_domain, tmp_path, monkeypatch):
    memo = tmp_path / "memo.txt"
    domain_memo.load_domain(model_domain, memo)
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "domain.yml").write_text((model_domain / "domain.yml").read_text() + "\n# another training\n")
    checks = _calls(monkeypatch)
    domain_memo.load_domain(changed, memo)
    assert len(checks) == 1 and len(memo.read_text().split()) == 2


def test_a_domain_failing_the_check_fails_as_before_and_is_never_listed(tmp_path):
    bad, memo = tmp_path / "bad", tmp_path / "memo.txt"
    bad.mkdir()
    (bad / "domain.yml").write_text('version: "3.1"\nintents: {greet: 1}\nresponses: 5\n')
    for _ in range(2):
        with pytest.raises(YamlException):
            domain_memo.load_domain(bad, memo)
    assert not memo.exists()


def test_another_layout_takes_rasa_s_own_path(model_domain, tmp_path, monkeypatch):
    two, memo = tmp_path / "two", tmp_path / "memo.txt"
    shutil.copytree(model_domain, two)
    (two / "more.yml").write_text('version: "3.1"\nintents: [extra_intent]\n')
    checks = _calls(monkeypatch)
    for _ in range(2):
        assert "extra_intent" in domain_memo.load_domain(two, memo).intents
    assert len(checks) == 4 and not memo.exists()


def test_the_list_keeps_the_newest(tmp_path):
    memo = tmp_path / "memo.txt"
    for index in range(domain_memo.MEMO_SIZE + 5):
        domain_memo.remember(memo, f"{index:064x}")
    keys = memo.read_text().split()
    assert len(keys) == domain_memo.MEMO_SIZE and keys[-1] == f"{domain_memo.MEMO_SIZE + 4:064x}"


def test_not_installed_without_the_variable(monkeypatch):
    from rasa.graph_components.providers.domain_provider import DomainProvider

    before = DomainProvider.__dict__["load"]
    domain_memo.install(environ={})
    assert DomainProvider.__dict__["load"] is before


def test_the_server_is_given_a_list_beside_the_model():
    from bot.services import rasa_server

    settings = load_settings()
    memo = Path(rasa_server(settings).env[domain_memo.MEMO_VARIABLE])
    assert memo.parent == model_path(settings).parent
