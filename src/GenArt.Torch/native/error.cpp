#include "error.h"

#include <cstdlib>
#include <cstring>

namespace {
thread_local char* pending = nullptr;
}

void gat::set_error(const char* op, const char* message) {
  std::string text = std::string(op) + ": " + (message ? message : "");
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (!copy) return;
  std::memcpy(copy, text.c_str(), text.size() + 1);
  std::free(pending);  // an error nobody collected is replaced by the newer one
  pending = copy;
}

char* gat_error_take() {
  char* message = pending;
  pending = nullptr;
  return message;
}

void gat_error_free(char* message) { std::free(message); }
