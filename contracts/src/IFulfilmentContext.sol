// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IFulfilmentContext
/// @notice What a market tells its verifier about the fulfilment it is checking. A market sets the context (in transient
///         storage) only while it calls the verifier from `fulfil`; verifiers that sign off chain (AttestationVerifier)
///         bind their signatures to it, so an attestation is worth nothing for another request or another prover.
interface IFulfilmentContext {
    /// @notice The request being fulfilled and its prover; (0, address(0)) outside a fulfilment.
    function fulfilmentContext() external view returns (uint256 requestId, address prover);
}
