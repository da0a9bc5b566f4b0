import pytest

from adapters.cli import main


def test_unknown_subcommand_is_a_usage_error_with_exit_2(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["no-such-command"])
    assert exited.value.code == 2
    assert "使い方の誤り" in capsys.readouterr().err
