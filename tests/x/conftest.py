"""Every X test talks real HTTP to a stand-in on 127.0.0.1, through real tweepy."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1

from adapters.x_credentials import XCredentials
from adapters.x_gateway import TweepyXGateway
from adapters.x_standin import CANONICAL_BASE_URL, XStandIn


@pytest.fixture
def standin() -> Iterator[XStandIn]:
    with XStandIn() as running:
        yield running


@pytest.fixture
def gateway(standin: XStandIn) -> TweepyXGateway:
    return TweepyXGateway.from_credentials(standin.credentials, api_url=standin.url, timeout=2.0)


@pytest.fixture
def signed(standin: XStandIn) -> Callable[..., requests.Response]:
    """A request signed like tweepy signs it (over `sign_base`), sent to the stand-in."""

    def send(
        method: str,
        path: str,
        *,
        credentials: XCredentials | None = None,
        sign_base: str = CANONICAL_BASE_URL,
        **body: Any,
    ) -> requests.Response:
        creds = credentials or standin.credentials
        auth = OAuth1(
            creds.api_key,
            client_secret=creds.api_secret,
            resource_owner_key=creds.access_token,
            resource_owner_secret=creds.access_token_secret,
        )
        prepared = requests.Request(method, sign_base + path, auth=auth, **body).prepare()
        prepared.url = standin.url + path
        with requests.Session() as session:
            return session.send(prepared, timeout=5)

    return send
