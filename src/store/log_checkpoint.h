#pragma once

// Checking the decision log against signed heads recorded earlier (checkpoints).

#include <string_view>

#include "core/log_signing.h"
#include "core/status.h"
#include "store/store.h"

namespace bulwark::store {

// OK if `checkpoint` is signed by `trusted_public_key` and the log still holds it: entry
// `checkpoint.seq` has hash `checkpoint.hash` (seq 0: GenesisHash()). This is what catches a
// chain rewritten behind Bulwark's back with every later hash recomputed, which VerifyLog
// cannot see. InvalidArgument for a bad signature, FailedPrecondition (naming the seq) when the
// log no longer matches; other codes are storage errors.
Status CheckCheckpoint(DecisionStore& log, const SignedHead& checkpoint,
                       std::string_view trusted_public_key);

}  // namespace bulwark::store
