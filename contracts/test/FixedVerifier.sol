// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "../src/IProofVerifier.sol";

/// @notice Test-only verifier with ezkl's Halo2Verifier signature that answers a fixed result, to exercise the
///         market's handling of a verifier that returns false (an invalid SNARK) without a committee.
contract FixedVerifier is IProofVerifier {
    bool public immutable result;

    constructor(bool result_) {
        result = result_;
    }

    function verifyProof(bytes calldata, uint256[] calldata) external view returns (bool) {
        return result;
    }
}
