// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProofVerifier
/// @notice The verifier interface of ezkl's generated Halo2Verifier contracts. ProofMarket accepts any contract that
///         implements it: a Halo2Verifier for on-chain SNARK verification, or an AttestationVerifier committee.
interface IProofVerifier {
    /// @notice Returns true when `proof` is valid for the public `instances`; may also revert on an invalid proof.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external returns (bool);
}
