#!/usr/bin/python3
"""A WHEP player (draft-ietf-wish-whep) for the end-to-end tests, on GStreamer's webrtcbin.

Offers to receive one VP8 video and one Opus audio stream (recvonly
transceivers, max-bundle), POSTs the offer to the WHEP endpoint and applies
the answer; candidates are trickled with PATCH (application/trickle-ice-sdpfrag,
If-Match: the ETag). What arrives is decoded and counted: video frames at a
fakesink's handoff, audio buffers likewise. Runs for the given seconds, then
DELETEs the session.

    whep_client.py URL TOKEN SECONDS

Prints one JSON line per event: {"event": "offer", "sdp": ...},
{"event": "created", "location": ...}, {"event": "connected"},
{"event": "patched", "status": 204}, {"event": "frames", "video": N, "audio": M}
(once a second), {"event": "deleted", "status": 200}; {"event": "refused",
"status": ..., "body": ...} when the POST is refused.
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
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

VIDEO_CAPS = ('application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,'
              'rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true')
AUDIO_CAPS = 'application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000'


def say(**event):
    print(json.dumps(event), flush=True)


class WhepClient:
    def __init__(self, url, token, seconds, local_address):
        self.url, self.token, self.seconds = url, token, seconds
        self.location = None
        self.etag = None
        self.ufrag = self.pwd = None
        self.mid = None
        self.mline = None
        self.pending = []  # candidates gathered before the answer came
        self.video_frames = 0
        self.audio_buffers = 0
        self.lock = threading.Lock()
        self.loop = GLib.MainLoop()
        self.pipe = Gst.Pipeline.new('play')
        self.webrtc = Gst.ElementFactory.make('webrtcbin', 'recv')
        self.webrtc.set_property('bundle-policy', GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        self.pipe.add(self.webrtc)
        # libnice leaves loopback out when it gathers; a server on 127.0.0.1
        # (serve --dev) is reached from there only.
        address = Nice.Address.new()
        address.set_from_string(local_address)
        # Both stay referenced for the client's life (GStreamer 1.22 hands out
        # the ICE agent property without the reference it takes back).
        self.ice = self.webrtc.get_property('ice-agent')
        self.nice = self.ice.get_property('agent')
        self.nice.add_local_address(address)
        recvonly = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
        for caps in (VIDEO_CAPS, AUDIO_CAPS):
            self.webrtc.emit('add-transceiver', recvonly, Gst.Caps.from_string(caps))
        self.webrtc.connect('on-negotiation-needed', self.on_negotiation_needed)
        self.webrtc.connect('on-ice-candidate', self.on_ice_candidate)
        self.webrtc.connect('notify::ice-connection-state', self.on_ice_state)
        self.webrtc.connect('pad-added', self.on_pad_added)
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
        self.pipe.set_state(Gst.State.PLAYING)
        GLib.timeout_add_seconds(self.seconds, self.finish)
        GLib.timeout_add_seconds(1, self.report)
        self.loop.run()
        self.pipe.set_state(Gst.State.NULL)

    def report(self):
        say(event='frames', video=self.video_frames, audio=self.audio_buffers)
        return True

    def finish(self):
        self.report()
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

    def on_offer_created(self, promise, element, _):
        promise.wait()
        reply = promise.get_reply()  # owns the offer: held while it is used
        offer = reply.get_value('offer')
        text = offer.sdp.as_text()  # before set-local-description, which takes the offer over
        element.emit('set-local-description', offer, Gst.Promise.new())
        say(event='offer', sdp=text)
        for line in text.splitlines():
            if line.startswith('a=ice-ufrag:') and not self.ufrag:
                self.ufrag = line.split(':', 1)[1]
            elif line.startswith('a=ice-pwd:') and not self.pwd:
                self.pwd = line.split(':', 1)[1]
            elif line.startswith('m=') and self.mline is None:
                self.mline = line
            elif line.startswith('a=mid:') and self.mid is None:
                self.mid = line.split(':', 1)[1]
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
        links = headers.get_all('Link') or []
        say(event='created', location=self.location, etag=self.etag, links=len(links), answer=body)
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
            return  # max-bundle: the first m-line's candidates serve all
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

    def on_pad_added(self, _element, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        decode = Gst.ElementFactory.make('decodebin')
        decode.connect('pad-added', self.on_decoded_pad)
        self.pipe.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad('sink'))

    def on_decoded_pad(self, _decodebin, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        video = caps.to_string().startswith('video/')
        sink = Gst.ElementFactory.make('fakesink')
        sink.set_property('signal-handoffs', True)
        sink.set_property('sync', False)
        sink.connect('handoff', self.on_video_frame if video else self.on_audio_buffer)
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad('sink'))

    def on_video_frame(self, *_):
        self.video_frames += 1

    def on_audio_buffer(self, *_):
        self.audio_buffers += 1


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    Gst.init(None)
    local_address = socket.gethostbyname(urlparse(sys.argv[1]).hostname)
    WhepClient(sys.argv[1], sys.argv[2], int(sys.argv[3]), local_address).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
