import logging
import pytest

@pytest.mark.slow
def test_dbg(caplog: pytest.LogCaptureFixture, prefect_harness: None) -> None:
    caplog.set_level(logging.DEBUG)
    print("root handlers before", logging.getLogger().handlers)
    from sentiment.config import ModelSettings
    from sentiment.model import load_model
    print("after import model", logging.getLogger().handlers)
    m = load_model(ModelSettings())
    print("after load", logging.getLogger().handlers)
    m.predict(["good"])
    print("after predict", logging.getLogger().handlers)
    print("CAPLOG", len(caplog.text))
