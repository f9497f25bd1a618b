#!/usr/bin/python3
"""Echo call from aiortc, a second and independent WebRTC implementation.

Sends synthetic video (and a tone) to ciphertalk's POST /echo and counts the
video frames that come back decoded. Exit status 0 when at least MIN_FRAMES
frames arrived within the time limit. Usage: aiortc_echo.py URL [MIN_FRAMES]
"""
import asyncio
import fractions
import json
import sys
import time
import urllib.request

import aioice.ice
import aiortc
import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from av import VideoFrame

# aioice skips loopback when gathering; the test runs on 127.0.0.1 only.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class MovingBars(VideoStreamTrack):
    """640x480 frames whose content changes every frame, so the encoder sends real data."""

    def __init__(self):
        super().__init__()
        self.n = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        img = numpy.zeros((480, 640, 3), numpy.uint8)
        x = (self.n * 8) % 640
        img[:, x:x + 40] = (255, 128, 0)
        img[(self.n * 4) % 480, :] = (0, 255, 255)
        self.n += 1
        frame = VideoFrame.from_ndarray(img, format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        return frame


async def main(url, min_frames):
    pc = RTCPeerConnection()
    pc.addTrack(MovingBars())
    pc.addTrack(AudioStreamTrack())
    received = {"video": 0, "audio": 0}
    done = asyncio.Event()

    @pc.on("track")
    def on_track(track):
        async def consume():
            while True:
                try:
                    await track.recv()
                except Exception:
                    return
                received[track.kind] += 1
                if received["video"] >= min_frames and received["audio"] > 0:
                    done.set()
        asyncio.ensure_future(consume())

    await pc.setLocalDescription(await pc.createOffer())
    req = urllib.request.Request(url + "/echo", data=pc.localDescription.sdp.encode(),
                                 headers={"Content-Type": "application/sdp"}, method="POST")
    loop = asyncio.get_running_loop()
    resp = await loop.run_in_executor(None, lambda: urllib.request.urlopen(req, timeout=10))
    if resp.status != 201:
        print("unexpected status", resp.status)
        return 1
    location = resp.headers["Location"]
    answer = resp.read().decode()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    try:
        await asyncio.wait_for(done.wait(), timeout=25)
    except asyncio.TimeoutError:
        pass
    print(json.dumps({"videoFrames": received["video"], "audioFrames": received["audio"],
                      "location": location}))
    delete = urllib.request.Request(url + location if location.startswith("/") else location, method="DELETE")
    try:
        await loop.run_in_executor(None, lambda: urllib.request.urlopen(delete, timeout=5))
    except Exception as e:  # reported, not fatal: the frames are what this test checks
        print("DELETE failed:", e)
    await pc.close()
    return 0 if received["video"] >= min_frames and received["audio"] > 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)))
