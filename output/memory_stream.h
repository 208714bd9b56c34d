// A FILE* writing into memory, for the formats that print to a stream when
// their text is wanted as a string (test reports, diff traces).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace iptsim {

class MemoryStream {
 public:
  MemoryStream() : file_(open_memstream(&data_, &size_)) {}
  ~MemoryStream() {
    if (file_) fclose(file_);
    free(data_);
  }
  MemoryStream(const MemoryStream&) = delete;
  MemoryStream& operator=(const MemoryStream&) = delete;
  FILE* file() { return file_; }
  std::string Text() {
    fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

}  // namespace iptsim
