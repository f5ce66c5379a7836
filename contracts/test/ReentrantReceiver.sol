// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IMarket {
    function requestProof(bytes32 modelId, bytes32 inputCommitment, string calldata inputUri, uint64 deadline)
        external
        payable
        returns (uint256);
    function withdraw() external;
}

/// @notice Test-only requester whose receive() tries to withdraw from the market again while being paid. It records
///         the revert data of that reentrant call so a test can check which error stopped it.
contract ReentrantReceiver {
    IMarket public immutable market;
    bytes public lastReentryError;
    uint256 public reentryAttempts;

    constructor(IMarket market_) {
        market = market_;
    }

    function request(bytes32 modelId, bytes32 inputCommitment, uint64 deadline) external payable returns (uint256) {
        return market.requestProof{value: msg.value}(modelId, inputCommitment, "reentrant://", deadline);
    }

    function withdraw() external {
        market.withdraw();
    }

    receive() external payable {
        reentryAttempts++;
        try market.withdraw() {} catch (bytes memory reason) {
            lastReentryError = reason;
        }
    }
}
