"""What the GStreamer webrtcbin clients of the end-to-end tests share: one
session set up by an SDP offer POSTed over HTTP, as WHIP (RFC 9725) and WHEP
have it.

The offer is POSTed with the Bearer token, the answer applied; candidates are
trickled with PATCH (application/trickle-ice-sdpfrag, If-Match: the ETag);
the session is DELETEd when the client finishes. A client builds its pipeline
with a webrtcbin in it and says which way the media goes; this module does the
HTTP, the ICE and the JSON events, one line each: {"event": "created",
"location": ...}, {"event": "connected"}, {"event": "patched", "status": 204},
{"event": "deleted", "status": 200}; {"event": "refused", "status": ...,
"body": ...} when the POST is refused.
"""
import email.message
import json
import socket
import sys
import threading
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlparse

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
gi.require_version('Nice', '0.1')
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402,F401


def say(**event):
    print(json.dumps(event), flush=True)


class HttpSdpClient:
    """One webrtcbin session against a WHIP or WHEP resource. A subclass
    gives the pipeline and its webrtcbin, and may extend the hooks
    offer_ready, created and finish."""

    def __init__(self, url, token, seconds, pipe, webrtc):
        self.url, self.token, self.seconds = url, token, seconds
        self.location = None
        self.etag = None
        self.ufrag = self.pwd = None
        self.mid = None
        self.mline = None
        self.pending = []  # candidates gathered before the answer came
        self.lock = threading.Lock()
        self.loop = GLib.MainLoop()
        self.pipe, self.webrtc = pipe, webrtc
        # libnice leaves loopback out when it gathers; a server on 127.0.0.1
        # (serve --dev) is reached from there only. Gather on the address the
        # server's host resolves to.
        address = Nice.Address.new()
        address.set_from_string(socket.gethostbyname(urlparse(url).hostname))
        # Both stay referenced for the client's life: GStreamer 1.22 hands
        # out the ICE agent property without the reference it takes back.
        self.ice = self.webrtc.get_property('ice-agent')
        self.nice = self.ice.get_property('agent')
        self.nice.add_local_address(address)
        self.webrtc.connect('on-negotiation-needed', self.on_negotiation_needed)
        self.webrtc.connect('on-ice-candidate', self.on_ice_candidate)
        self.webrtc.connect('notify::ice-connection-state', self.on_ice_state)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect('message::error', self.on_error)

    def request(self, method, url, body=b'', headers=None):
        headers = dict(headers or {})
        headers.setdefault('Authorization', 'Bearer ' + self.token)
        req = urllib.request.Request(url, data=body if method != 'DELETE' else None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()
        except urllib.error.URLError as e:
            return 0, email.message.Message(), str(e.reason)

    def run(self):
        """Runs for the client's seconds, or until stdin closes when 0."""
        self.pipe.set_state(Gst.State.PLAYING)
        if self.seconds > 0:
            GLib.timeout_add_seconds(self.seconds, self.finish)
        else:
            threading.Thread(target=self.wait_stdin, daemon=True).start()
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)

    def wait_stdin(self):
        sys.stdin.read()
        GLib.idle_add(self.finish)

    def finish(self):
        if self.location:
            status, _, _ = self.request('DELETE', self.location)
            say(event='deleted', status=status)
        self.loop.quit()
        return False

    def on_error(self, _bus, message):
        err, debug = message.parse_error()
        say(event='error', message=f'{err.message} {debug}')
        self.loop.quit()

    def on_negotiation_needed(self, element):
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, element, None)
        element.emit('create-offer', None, promise)

    def offer_ready(self, sdp):
        """The offer about to be POSTed."""

    def created(self, headers, body):
        """The POST's 201: Location, ETag and Link headers, the answer."""
        links = headers.get_all('Link') or []  # one header per ICE server URL (RFC 9725 §4.6)
        say(event='created', location=self.location, etag=self.etag, links=len(links))

    def on_offer_created(self, promise, element, _):
        promise.wait()
        reply = promise.get_reply()  # owns the offer: held while it is used
        offer = reply.get_value('offer')
        text = offer.sdp.as_text()  # before set-local-description, which takes the offer over
        element.emit('set-local-description', offer, Gst.Promise.new())
        for line in text.splitlines():
            if line.startswith('a=ice-ufrag:') and not self.ufrag:
                self.ufrag = line.split(':', 1)[1]
            elif line.startswith('a=ice-pwd:') and not self.pwd:
                self.pwd = line.split(':', 1)[1]
            elif line.startswith('m=') and self.mline is None:
                self.mline = line
            elif line.startswith('a=mid:') and self.mid is None:
                self.mid = line.split(':', 1)[1]
        self.offer_ready(text)
        threading.Thread(target=self.post_offer, args=(text,), daemon=True).start()

    def post_offer(self, sdp):
        status, headers, body = self.request('POST', self.url, sdp.encode(), {'Content-Type': 'application/sdp'})
        if status != 201:
            say(event='refused', status=status, body=body)
            GLib.idle_add(self.loop.quit)
            return
        with self.lock:
            self.location = urljoin(self.url, headers.get('Location'))
            self.etag = headers.get('ETag')
            pending, self.pending = self.pending, []
        self.created(headers, body)
        GLib.idle_add(self.apply_answer, body)
        if pending:
            self.patch(pending)

    def apply_answer(self, body):
        _, message = GstSdp.SDPMessage.new_from_text(body)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        self.webrtc.emit('set-remote-description', answer, Gst.Promise.new())
        return False

    def on_ice_candidate(self, _element, mline, candidate):
        if mline != 0:
            return  # max-bundle: the first m-line's candidates serve all (RFC 9725 §4.3.2)
        with self.lock:
            if not self.location:
                self.pending.append(candidate)
                return
        threading.Thread(target=self.patch, args=([candidate],), daemon=True).start()

    def patch(self, candidates):
        fragment = f'a=ice-ufrag:{self.ufrag}\r\na=ice-pwd:{self.pwd}\r\n'
        fragment += f'{self.mline}\r\na=mid:{self.mid}\r\n'
        for c in candidates:
            fragment += ('a=' if not c.startswith('a=') else '') + c + '\r\n'
        status, _, body = self.request('PATCH', self.location, fragment.encode(),
                                       {'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': self.etag})
        say(event='patched', status=status, candidates=len(candidates), body=body if status >= 300 else '')

    def on_ice_state(self, element, _pspec):
        state = element.get_property('ice-connection-state')
        if state in (GstWebRTC.WebRTCICEConnectionState.CONNECTED, GstWebRTC.WebRTCICEConnectionState.COMPLETED):
            say(event='connected')
        elif state == GstWebRTC.WebRTCICEConnectionState.FAILED:
            say(event='failed')
