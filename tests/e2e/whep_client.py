#!/usr/bin/python3
"""A WHEP player (draft-ietf-wish-whep) for the end-to-end tests, on GStreamer's webrtcbin.

Offers to receive one VP8 video and one Opus audio stream (recvonly
transceivers, max-bundle) through the WHEP endpoint (HTTP, trickle ICE and
events: lib/gst_webrtc.py). What arrives is decoded and counted: video frames
at a fakesink's handoff, audio buffers likewise. Runs for the given seconds,
then DELETEs the session.

    whep_client.py URL TOKEN SECONDS

Prints one JSON line per event: {"event": "offer", "sdp": ...},
{"event": "created", "location": ..., "answer": ...}, {"event": "connected"},
{"event": "patched", "status": 204}, {"event": "frames", "video": N, "audio": M}
(once a second), {"event": "deleted", "status": 200}; {"event": "refused",
"status": ..., "body": ...} when the POST is refused.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib'))
from gst_webrtc import GLib, Gst, GstWebRTC, HttpSdpClient, say  # noqa: E402

VIDEO_CAPS = ('application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,'
              'rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true')
AUDIO_CAPS = 'application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000'


class WhepClient(HttpSdpClient):
    def __init__(self, url, token, seconds):
        self.video_frames = 0
        self.audio_buffers = 0
        pipe = Gst.Pipeline.new('play')
        webrtc = Gst.ElementFactory.make('webrtcbin', 'recv')
        webrtc.set_property('bundle-policy', GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        pipe.add(webrtc)
        recvonly = GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY
        for caps in (VIDEO_CAPS, AUDIO_CAPS):
            webrtc.emit('add-transceiver', recvonly, Gst.Caps.from_string(caps))
        webrtc.connect('pad-added', self.on_pad_added)
        super().__init__(url, token, seconds, pipe, webrtc)

    def run(self):
        GLib.timeout_add_seconds(1, self.report)
        super().run()

    def report(self):
        say(event='frames', video=self.video_frames, audio=self.audio_buffers)
        return True

    def finish(self):
        self.report()
        return super().finish()

    def offer_ready(self, sdp):
        say(event='offer', sdp=sdp)

    def created(self, headers, body):
        links = headers.get_all('Link') or []
        say(event='created', location=self.location, etag=self.etag, links=len(links), answer=body)

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
    WhepClient(sys.argv[1], sys.argv[2], int(sys.argv[3])).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
