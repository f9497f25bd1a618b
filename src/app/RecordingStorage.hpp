#pragma once
// The recording uploader's settings from the server's configuration and the
// environment, where the object storage keys live (never in the config
// file): CT_S3_ACCESS_KEY_ID / CT_S3_SECRET_ACCESS_KEY, else
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the second target may have its
// own, CT_S3_SECONDARY_ACCESS_KEY_ID / CT_S3_SECONDARY_SECRET_ACCESS_KEY.
#include <functional>
#include <string>
#include <variant>

#include "app/Config.hpp"
#include "record/RecordingUploader.hpp"

namespace ct::app {

// The environment as a function, so tests need not change the process's.
using Environment = std::function<const char*(const char* name)>;

// The uploader's settings, or what is missing (a target without keys).
std::variant<record::RecordingUploaderConfig, std::string> recording_uploader_config(const Config& config,
                                                                                     const Environment& env);

}  // namespace ct::app
