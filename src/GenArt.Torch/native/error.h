// The thread-local error slot read by the managed side after a failed call.
#pragma once
#include "common.h"

// Returns the pending error message of this thread (or nullptr) and hands its ownership to the caller, who
// frees it with gat_error_free. The slot is empty afterwards.
GAT_API char* gat_error_take();
GAT_API void gat_error_free(char* message);
// Sets the error slot; used by the managed side's tests of the error path.
