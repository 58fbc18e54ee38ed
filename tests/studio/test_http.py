"""The studio's HTTP surface against the real server: who is refused (403), what input is refused (400, one line),
and what the page's calls change in the running engine."""

from __future__ import annotations

import http.client
import json

import pytest


def request(studio, method: str, path: str, body=None, headers=None, token: bool | str = True):
    """(status, headers, body bytes) of one request to the studio, with the token unless told otherwise."""
    conn = http.client.HTTPConnection("127.0.0.1", studio.port, timeout=10)
    sent = {"Host": f"127.0.0.1:{studio.port}"}
    if token:
        sent["X-Studio-Token"] = studio.token if token is True else token
    if body is not None:
        sent["Content-Type"] = "application/json"
        body = json.dumps(body)
    sent.update(headers or {})
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class TestWhoMayUseIt:
    def test_with_token_ok(self, studio):
        status, _, body = request(studio, "GET", "/api/state")
        assert status == 200
        assert json.loads(body)["lens"]

    @pytest.mark.parametrize("path", ["/", "/api/state", "/api/lenses", "/preview.jpg", "/static/studio.js"])
    def test_without_token_403(self, studio, path):
        status, _, body = request(studio, "GET", path, token=False)
        assert status == 403
        assert b"token" in body

    def test_wrong_token_403(self, studio):
        assert request(studio, "GET", "/api/state", token="x" * 43)[0] == 403

    def test_token_in_url_sets_strict_cookie(self, studio):
        status, headers, body = request(studio, "GET", f"/?token={studio.token}", token=False)
        assert status == 200 and b"lensengine" in body
        cookie = headers.get("set-cookie", "")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        status, _, _ = request(studio, "GET", "/api/state", token=False, headers={"Cookie": cookie.split(";")[0]})
        assert status == 200

    @pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"])
    def test_foreign_origin_403(self, studio, origin):
        status, _, body = request(studio, "POST", "/api/lens", {"name": "landmarks"}, headers={"Origin": origin})
        assert status == 403 and b"origin" in body

    def test_own_origin_ok(self, studio):
        status, _, _ = request(studio, "GET", "/api/state", headers={"Origin": f"http://localhost:{studio.port}"})
        assert status == 200

    @pytest.mark.parametrize("host", ["evil.example", "127.0.0.1", "127.0.0.1:1", "192.168.1.2:{port}"])
    def test_foreign_host_403(self, studio, host):
        status, _, body = request(studio, "GET", "/api/state", headers={"Host": host.format(port=studio.port)})
        assert status == 403 and b"host" in body

    @pytest.mark.parametrize("site", ["cross-site", "same-site"])
    def test_fetch_from_another_site_403(self, studio, site):
        assert request(studio, "GET", "/preview.jpg", headers={"Sec-Fetch-Site": site})[0] == 403

    @pytest.mark.parametrize("site", ["same-origin", "none"])
    def test_own_page_or_typed_address_ok(self, studio, site):
        assert request(studio, "GET", "/api/state", headers={"Sec-Fetch-Site": site})[0] == 200

    def test_listens_on_loopback_only(self, studio):
        assert studio.url.startswith(f"http://127.0.0.1:{studio.port}/?token=")
        assert len(studio.token) >= 40


class TestInputChecked:
    @pytest.mark.parametrize(
        "path, body, words",
        [
            ("/api/lens", {"name": "no_such_lens"}, "not installed"),
            ("/api/lens", {"name": "../../etc/passwd"}, "installed lens"),
            ("/api/lens", ["landmarks"], "installed lens"),
            ("/api/enabled", {"enabled": "yes"}, "true or false"),
            ("/api/settings", {"max_faces": 0}, "1 to 16"),
            ("/api/settings", {"max_faces": 2.5}, "1 to 16"),
            ("/api/settings", {"superres": "bogus"}, "choose one of"),
            ("/api/settings", {"input": "/etc/passwd"}, "camera number"),
            ("/api/settings", {"output_size": "12x12"}, "16x16"),
            ("/api/settings", {"output_size": "wide"}, "WIDTHxHEIGHT"),
            ("/api/settings", {"colour": "red"}, "unknown setting"),
        ],
    )
    def test_bad_input_one_line_400(self, studio, path, body, words):
        status, _, raw = request(studio, "POST", path, body)
        assert status == 400
        error = json.loads(raw)["error"]
        assert words in error and "\n" not in error

    def test_form_posts_refused(self, studio):
        status, _, raw = request(
            studio, "POST", "/api/lens", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 400 and b"JSON" in raw

    def test_not_json(self, studio):
        conn_status = request(studio, "POST", "/api/settings", headers={"Content-Type": "application/json"})[0]
        assert conn_status == 400


class TestLiveChanges:
    def test_max_faces_and_output_size(self, studio, wait_for):
        status, _, raw = request(studio, "POST", "/api/settings", {"max_faces": 2, "output_size": "320x240"})
        assert status == 200, raw
        settings = json.loads(raw)["settings"]
        assert settings["max_faces"] == 2 and settings["output_size"] == "320x240"
        tracker = studio.loop.processor.tracker
        assert tracker.max_faces == 2
        assert tracker.landmarks_every == 2 and tracker.small_faces is not None  # the other settings are kept
        frames = studio.engine.tap.inner.frames_written
        wait_for(lambda: studio.engine.tap.inner.frames_written > frames + 2, 10, what="frames at the new size")
        assert studio.engine.tap.inner.last_frame.shape == (240, 320, 3)
        status, _, raw = request(studio, "POST", "/api/settings", {"max_faces": 4, "output_size": "640x480"})
        assert status == 200, raw

    def test_input_switch(self, studio, wait_for):
        status, _, raw = request(studio, "POST", "/api/settings", {"input": "sample:1"})
        assert status == 200, raw
        assert json.loads(request(studio, "GET", "/api/state")[2])["input"]["spec"] == "sample:1"
        frames = studio.loop.stats.frames
        wait_for(lambda: studio.loop.stats.frames > frames + 3, 10, what="frames from the new input")
        assert request(studio, "POST", "/api/settings", {"input": "sample"})[0] == 200

    def test_state_has_the_stats_figures(self, studio):
        state = json.loads(request(studio, "GET", "/api/state")[2])
        assert {"fps", "faces", "dropped", "repeated", "latency_ms", "stages"} <= set(state)
        assert {"capture", "track", "output"} <= set(state["stages"])
        assert state["note"] == studio.engine.note

    def test_preview_jpeg(self, studio):
        status, headers, body = request(studio, "GET", "/preview.jpg")
        assert status == 200 and headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"


def test_lens_that_fails_to_load(studio, wait_for):
    """The current lens keeps serving, the page stops saying "loading" and shows the switcher's one line."""
    from lensengine.lens import LensSpec

    def create():
        raise RuntimeError("no weights here")

    order = studio.loop.lenses.order
    broken = LensSpec("broken_for_test", "face", create, plugin="tests")
    order.append(broken)
    try:
        lens = studio.loop.lenses.name
        assert request(studio, "POST", "/api/lens", {"name": "broken_for_test"})[0] == 200
        state = wait_for(
            lambda: (s := json.loads(request(studio, "GET", "/api/state")[2]))["pending"] is None and s, 10, what="end"
        )
        assert state["lens"] == lens
        assert any("broken_for_test" in line and "no weights here" in line for line in state["messages"])
    finally:
        order.remove(broken)
