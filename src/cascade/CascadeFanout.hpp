#pragma once
// Which of this node's published tracks go to which other nodes, and why:
// a track is sent to a node once, however many of that node's participants
// subscribe to it (the node fans it out to them itself), and stops when the
// last of them unsubscribes or the node leaves the room.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ct::cascade {

class CascadeFanout {
 public:
  // A subscriber on `node` wants `track`. True when it is the node's first:
  // start sending the track there.
  bool add_subscriber(std::string_view track, std::string_view node);
  // A subscriber on `node` no longer wants `track`. True when it was the
  // node's last: stop sending it there. False too for one never added.
  bool remove_subscriber(std::string_view track, std::string_view node);
  // `node` says how many of its subscribers want `track` now (a
  // CascadeWant): the same as adding or removing them one by one. True when
  // that starts or stops sending the track there.
  bool set_subscribers(std::string_view track, std::string_view node, size_t subscribers);
  // `node` left the room (or died): the tracks that were being sent to it.
  std::vector<std::string> remove_node(std::string_view node);
  // `track` was unpublished: the nodes it was being sent to.
  std::vector<std::string> remove_track(std::string_view track);

  // The nodes `track` goes to now, each once; empty for a track no node wants.
  const std::vector<std::string>& nodes_of(std::string_view track) const;
  // How many tracks go to `node` (the metrics: streams per remote node).
  size_t streams_to(std::string_view node) const;
  // How many (track, node) streams are sent in all.
  size_t streams() const;

 private:
  struct Track {
    std::vector<std::string> nodes;   // each once, in the order they asked
    std::vector<size_t> subscribers;  // per node, same index
  };
  std::map<std::string, Track, std::less<>> tracks_;
};

}  // namespace ct::cascade
