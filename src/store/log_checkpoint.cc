#include "store/log_checkpoint.h"

#include <string>

#include "core/decision.h"

namespace bulwark::store {

Status CheckCheckpoint(DecisionStore& log, const SignedHead& checkpoint,
                       std::string_view trusted_public_key) {
  BULWARK_RETURN_IF_ERROR(VerifySignedHead(checkpoint, trusted_public_key));
  const std::string at = "the signed head of " + checkpoint.signed_at + " (entry " +
                         std::to_string(checkpoint.seq) + ", " + checkpoint.hash + ")";
  if (checkpoint.seq < 0) return InvalidArgument(at + " has a negative seq");
  if (checkpoint.seq == 0) {
    if (checkpoint.hash == GenesisHash()) return Status::Ok();
    return FailedPrecondition(at + " is not the empty log's head");
  }
  BULWARK_ASSIGN_OR_RETURN(auto entry, log.ListDecisions(checkpoint.seq - 1, 1));
  if (entry.empty() || entry.front().seq != checkpoint.seq) {
    return FailedPrecondition(at + " is not in the log: entries removed");
  }
  if (entry.front().hash != checkpoint.hash) {
    return FailedPrecondition(at + " is not in the log: entry " + std::to_string(checkpoint.seq) +
                              " now has hash " + entry.front().hash +
                              " (the log was rewritten and its hashes recomputed)");
  }
  return Status::Ok();
}

}  // namespace bulwark::store
