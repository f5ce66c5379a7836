// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "./IProofVerifier.sol";

/// @title ProofMarket
/// @notice Escrow market for zero-knowledge proofs of ML inference. A provider registers a model (identified by the
///         keccak256 of its verifying key) with a verifier contract; a requester pays for a proof of one inference on a
///         committed input; a prover locks the request with collateral, fulfils it with a proof the model's verifier
///         accepts and is paid. Unfulfilled requests are refunded after their deadline, and the collateral of a lock
///         that was not honoured is slashed, part to the requester. Payouts are credited and withdrawn (pull pattern).
contract ProofMarket {
    enum RequestStatus {
        None,
        Open,
        Locked,
        Fulfilled,
        Refunded
    }

    struct Model {
        address provider;
        uint96 price;
        address verifier;
        uint64 lockDuration;
        uint32 inputInstanceCount;
        uint256 lockCollateral;
        string artifactUri;
    }

    struct Request {
        bytes32 modelId;
        address requester;
        uint96 payment;
        address prover;
        uint96 collateral;
        bytes32 inputCommitment;
        uint64 deadline;
        uint64 lockDeadline;
        RequestStatus status;
    }

    /// @notice Share of a slashed collateral that goes to the requester, in basis points; the rest is burned.
    uint16 public immutable requesterSlashBps;

    /// @notice The id the next request gets (ids start at 1).
    uint256 public nextRequestId = 1;

    /// @notice Slashed collateral that went to nobody (locked in this contract for good).
    uint256 public burnedCollateral;

    mapping(bytes32 => Model) private _models;
    mapping(uint256 => Request) private _requests;
    mapping(address => uint256) private _balances;

    bool private transient _entered;

    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed provider,
        address verifier,
        uint256 price,
        uint256 lockCollateral,
        uint64 lockDuration,
        uint32 inputInstanceCount,
        string artifactUri
    );
    event ProofRequested(
        uint256 indexed requestId,
        bytes32 indexed modelId,
        address indexed requester,
        uint256 payment,
        bytes32 inputCommitment,
        string inputUri,
        uint64 deadline
    );
    event RequestLocked(uint256 indexed requestId, address indexed prover, uint256 collateral, uint64 lockDeadline);
    event RequestFulfilled(
        uint256 indexed requestId,
        address indexed prover,
        bytes32 outputCommitment,
        bytes32 proofHash,
        string proofUri
    );
    event RequestRefunded(uint256 indexed requestId, address indexed requester, uint256 amount);
    event CollateralSlashed(uint256 indexed requestId, address indexed prover, uint256 toRequester, uint256 burned);
    event Withdrawal(address indexed account, uint256 amount);

    error ModelAlreadyRegistered(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error InvalidModel();
    error UnknownRequest(uint256 requestId);
    error Underpayment(uint256 required, uint256 sent);
    error IncorrectCollateral(uint256 required, uint256 sent);
    error AmountTooLarge(uint256 amount);
    error DeadlineInPast(uint64 deadline);
    error DeadlineExpired(uint256 requestId, uint64 deadline);
    error DeadlineNotReached(uint256 requestId, uint64 deadline);
    error InvalidRequestStatus(uint256 requestId, RequestStatus status);
    error LockedByAnotherProver(uint256 requestId, address prover, uint64 lockDeadline);
    error TooFewInstances(uint256 required, uint256 supplied);
    error InputCommitmentMismatch(bytes32 expected, bytes32 actual);
    error ProofRejected(uint256 requestId);
    error NothingToWithdraw();
    error TransferFailed(address to, uint256 amount);
    error ReentrantCall();
    error InvalidSlashShare(uint16 bps);

    modifier nonReentrant() {
        if (_entered) revert ReentrantCall();
        _entered = true;
        _;
        _entered = false;
    }

    constructor(uint16 requesterSlashBps_) {
        if (requesterSlashBps_ > 10_000) revert InvalidSlashShare(requesterSlashBps_);
        requesterSlashBps = requesterSlashBps_;
    }

    /// @notice Registers a model; the caller becomes its provider.
    /// @param modelId keccak256 of the model's verifying key bytes.
    /// @param verifier An IProofVerifier for this model (a Halo2Verifier or an AttestationVerifier).
    /// @param price Minimum payment for one proof, in wei.
    /// @param lockCollateral Collateral a prover deposits to lock a request, in wei.
    /// @param lockDuration Seconds a lock gives its prover the exclusive right to fulfil.
    /// @param inputInstanceCount Number of leading public instances that are the inputs (hashed into the commitment).
    /// @param artifactUri Where the model's artifacts (circuit, keys, settings) are stored.
    function registerModel(
        bytes32 modelId,
        address verifier,
        uint256 price,
        uint256 lockCollateral,
        uint64 lockDuration,
        uint32 inputInstanceCount,
        string calldata artifactUri
    ) external {
        if (_models[modelId].provider != address(0)) revert ModelAlreadyRegistered(modelId);
        if (modelId == bytes32(0) || verifier.code.length == 0 || lockDuration == 0) revert InvalidModel();
        if (price > type(uint96).max) revert AmountTooLarge(price);
        if (lockCollateral > type(uint96).max) revert AmountTooLarge(lockCollateral);
        _models[modelId] = Model({
            provider: msg.sender,
            price: uint96(price),
            verifier: verifier,
            lockDuration: lockDuration,
            inputInstanceCount: inputInstanceCount,
            lockCollateral: lockCollateral,
            artifactUri: artifactUri
        });
        emit ModelRegistered(
            modelId, msg.sender, verifier, price, lockCollateral, lockDuration, inputInstanceCount, artifactUri
        );
    }

    /// @notice Requests a proof of one inference; the payment (msg.value, at least the model's price) is held in escrow.
    /// @param inputCommitment keccak256 of the input public instances (32-byte big-endian words, concatenated).
    /// @param inputUri Where the input is stored.
    /// @param deadline Unix time after which the request can no longer be fulfilled and may be refunded.
    function requestProof(bytes32 modelId, bytes32 inputCommitment, string calldata inputUri, uint64 deadline)
        external
        payable
        returns (uint256 requestId)
    {
        Model storage model = _models[modelId];
        if (model.provider == address(0)) revert UnknownModel(modelId);
        if (msg.value < model.price) revert Underpayment(model.price, msg.value);
        if (msg.value > type(uint96).max) revert AmountTooLarge(msg.value);
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline);
        requestId = nextRequestId++;
        _requests[requestId] = Request({
            modelId: modelId,
            requester: msg.sender,
            payment: uint96(msg.value),
            prover: address(0),
            collateral: 0,
            inputCommitment: inputCommitment,
            deadline: deadline,
            lockDeadline: 0,
            status: RequestStatus.Open
        });
        emit ProofRequested(requestId, modelId, msg.sender, msg.value, inputCommitment, inputUri, deadline);
    }

    /// @notice Locks an open request with the model's collateral (msg.value): until the lock deadline only the caller
    ///         may fulfil it. A lock that is not honoured by the deadline is slashed.
    function lock(uint256 requestId) external payable {
        Request storage request = _pending(requestId);
        if (request.status != RequestStatus.Open) revert InvalidRequestStatus(requestId, request.status);
        if (block.timestamp > request.deadline) revert DeadlineExpired(requestId, request.deadline);
        Model storage model = _models[request.modelId];
        if (msg.value != model.lockCollateral) revert IncorrectCollateral(model.lockCollateral, msg.value);
        uint64 lockDeadline = uint64(block.timestamp) + model.lockDuration;
        if (lockDeadline > request.deadline) lockDeadline = request.deadline;
        request.status = RequestStatus.Locked;
        request.prover = msg.sender;
        request.collateral = uint96(msg.value);
        request.lockDeadline = lockDeadline;
        emit RequestLocked(requestId, msg.sender, msg.value, lockDeadline);
    }

    /// @notice Fulfils a request with a proof. The leading input instances must hash to the request's commitment and
    ///         the model's verifier must accept the proof. The caller is credited the payment (and its collateral).
    ///         After the lock deadline anyone may fulfil; the absent locker's collateral is then slashed.
    function fulfil(uint256 requestId, bytes calldata proof, uint256[] calldata instances, string calldata proofUri)
        external
        nonReentrant
    {
        Request storage request = _pending(requestId);
        address locker = _checkFulfillable(requestId, request);
        Model storage model = _models[request.modelId];
        uint256 inputCount = _checkInputs(request, model.inputInstanceCount, instances);
        _verify(requestId, model.verifier, proof, instances);
        _settleFulfilment(requestId, request, locker);
        emit RequestFulfilled(
            requestId,
            msg.sender,
            _hashWords(instances, inputCount, instances.length - inputCount),
            keccak256(proof),
            proofUri
        );
    }

    /// @notice Refunds an unfulfilled request after its deadline (callable by anyone; credits the requester). The
    ///         collateral of a lock that was not honoured is slashed: part to the requester, the rest burned.
    function refund(uint256 requestId) external {
        Request storage request = _pending(requestId);
        RequestStatus status = request.status;
        if (status != RequestStatus.Open && status != RequestStatus.Locked) {
            revert InvalidRequestStatus(requestId, status);
        }
        if (block.timestamp <= request.deadline) revert DeadlineNotReached(requestId, request.deadline);
        request.status = RequestStatus.Refunded;
        uint256 amount = request.payment;
        if (status == RequestStatus.Locked) {
            uint256 collateral = request.collateral;
            uint256 toRequester = collateral * requesterSlashBps / 10_000;
            amount += toRequester;
            burnedCollateral += collateral - toRequester;
            emit CollateralSlashed(requestId, request.prover, toRequester, collateral - toRequester);
        }
        _balances[request.requester] += amount;
        emit RequestRefunded(requestId, request.requester, amount);
    }

    /// @notice Sends the caller everything credited to it.
    function withdraw() external nonReentrant {
        uint256 amount = _balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        _balances[msg.sender] = 0;
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
        emit Withdrawal(msg.sender, amount);
    }

    /// @notice Wei credited to `account` and not yet withdrawn.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice A registered model (provider is the zero address when unknown).
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @notice A request (status None when unknown).
    function getRequest(uint256 requestId) external view returns (Request memory) {
        return _requests[requestId];
    }

    /// @dev Reverts unless the caller may fulfil the request now; returns the locker (zero when not locked).
    function _checkFulfillable(uint256 requestId, Request storage request) private view returns (address locker) {
        RequestStatus status = request.status;
        if (status != RequestStatus.Open && status != RequestStatus.Locked) {
            revert InvalidRequestStatus(requestId, status);
        }
        if (block.timestamp > request.deadline) revert DeadlineExpired(requestId, request.deadline);
        if (status == RequestStatus.Locked) {
            locker = request.prover;
            if (msg.sender != locker && block.timestamp <= request.lockDeadline) {
                revert LockedByAnotherProver(requestId, locker, request.lockDeadline);
            }
        }
    }

    /// @dev Reverts unless the leading `inputCount` instances hash to the request's input commitment.
    function _checkInputs(Request storage request, uint256 inputCount, uint256[] calldata instances)
        private
        view
        returns (uint256)
    {
        if (instances.length < inputCount) revert TooFewInstances(inputCount, instances.length);
        bytes32 inputHash = _hashWords(instances, 0, inputCount);
        if (inputHash != request.inputCommitment) revert InputCommitmentMismatch(request.inputCommitment, inputHash);
        return inputCount;
    }

    /// @dev Credits the fulfiller with the payment and its collateral. When another prover held a lock that has
    ///      expired, that locker's collateral is split between the requester and the fulfiller.
    function _settleFulfilment(uint256 requestId, Request storage request, address locker) private {
        request.status = RequestStatus.Fulfilled;
        uint256 payout = request.payment;
        uint256 collateral = request.collateral;
        if (locker != address(0) && locker != msg.sender) {
            uint256 toRequester = collateral * requesterSlashBps / 10_000;
            _balances[request.requester] += toRequester;
            payout += collateral - toRequester;
            emit CollateralSlashed(requestId, locker, toRequester, 0);
        } else {
            payout += collateral;
        }
        request.prover = msg.sender;
        _balances[msg.sender] += payout;
    }

    function _pending(uint256 requestId) private view returns (Request storage request) {
        request = _requests[requestId];
        if (request.status == RequestStatus.None) revert UnknownRequest(requestId);
    }

    function _verify(uint256 requestId, address verifier, bytes calldata proof, uint256[] calldata instances)
        private
        view
    {
        // staticcall: a verifier only reads; it can neither move funds nor re-enter a state-changing function.
        (bool ok, bytes memory result) =
            verifier.staticcall(abi.encodeCall(IProofVerifier.verifyProof, (proof, instances)));
        if (!ok) {
            // A generated Halo2Verifier rejects a proof by reverting with no data: name it.
            if (result.length == 0) revert ProofRejected(requestId);
            // Bubble up the verifier's own reason (e.g. an AttestationVerifier custom error).
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        if (result.length < 32 || !abi.decode(result, (bool))) revert ProofRejected(requestId);
    }

    /// @dev keccak256 of `count` words of `words` starting at `start`, as 32-byte big-endian words concatenated.
    function _hashWords(uint256[] calldata words, uint256 start, uint256 count) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let length := mul(count, 32)
            calldatacopy(ptr, add(words.offset, mul(start, 32)), length)
            hash := keccak256(ptr, length)
        }
    }
}
