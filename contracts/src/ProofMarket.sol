// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofVerifier} from "./IProofVerifier.sol";
import {IFulfilmentContext} from "./IFulfilmentContext.sol";

/// @title ProofMarket
/// @notice Escrow market for zero-knowledge proofs of ML inference. A provider registers a model with a verifier
///         contract; a requester pays for a proof of one inference on a committed input; a prover locks the request
///         with collateral, fulfils it with a proof the model's verifier accepts and is paid. Unfulfilled requests
///         are refunded after their deadline, and the collateral of a lock that was not honoured is slashed, part to
///         the requester, the rest burned. Payouts are credited and withdrawn (pull pattern).
/// @dev Security design (see contracts/README.md):
///      - Model ids commit to their provider: modelId = keccak256(abi.encode(provider, vkHash)). Nobody can register
///        under another provider's id, so front-running a registration only creates a different model; a client
///        that computes the id from the provider it trusts and the verifying key it checked cannot be redirected to a
///        squatter's verifier.
///      - Only the current locker fulfils. A request must be locked first; a lock stays the locker's until someone
///        else takes it over after the lock deadline (which slashes the absent locker). Fulfil calldata copied from
///        the mempool is worthless to anyone else. Verifiers that attest off chain (AttestationVerifier) read the
///        request id and prover from `fulfilmentContext()` and bind their signatures to them.
///      - Collateral is required (> 0) and at least MIN_COLLATERAL_BPS of the payment the lock blocks.
///      - Deadlines, lock durations, input counts and URIs are bounded, so every event decodes into ordinary types.
///      - Every credit to an account is announced by `Credited`, every burn by `CollateralSlashed`, so an indexer
///        rebuilds every balance from events alone: ether held = credits - withdrawals + escrow + burned.
contract ProofMarket is IFulfilmentContext {
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
        bytes32 vkHash;
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

    /// @notice Why an account was credited (the `reason` of `Credited`).
    enum CreditReason {
        Payout, // a fulfilment: payment plus the locker's own collateral
        Refund, // an unfulfilled request's payment (plus the requester's share of a broken lock's collateral)
        SlashShare // the requester's share of a lock that was taken over after it expired
    }

    /// @notice The latest deadline a request may have, counted from the block that creates it.
    uint256 public constant MAX_DEADLINE_AHEAD = 30 days;
    /// @notice The longest lock a model may give.
    uint64 public constant MAX_LOCK_DURATION = 7 days;
    /// @notice The most leading input instances a model may commit to.
    uint32 public constant MAX_INPUT_INSTANCES = 65_536;
    /// @notice The longest artifact, input or proof URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 2048;
    /// @notice The least collateral of a lock, as a share of the payment it blocks (basis points).
    uint256 public constant MIN_COLLATERAL_BPS = 5000;

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
    uint256 private transient _contextRequestId;
    address private transient _contextProver;

    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed provider,
        bytes32 indexed vkHash,
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
    event Credited(address indexed account, uint256 indexed requestId, uint256 amount, CreditReason reason);
    event Withdrawal(address indexed account, uint256 amount);

    error ModelAlreadyRegistered(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error InvalidModel();
    error InvalidLockDuration(uint64 lockDuration, uint64 max);
    error TooManyInputInstances(uint32 count, uint32 max);
    error CollateralRequired();
    error UriTooLong(uint256 length, uint256 max);
    error UnknownRequest(uint256 requestId);
    error Underpayment(uint256 required, uint256 sent);
    error IncorrectCollateral(uint256 required, uint256 sent);
    error AmountTooLarge(uint256 amount);
    error DeadlineInPast(uint64 deadline);
    error DeadlineTooFar(uint64 deadline, uint256 latest);
    error DeadlineExpired(uint256 requestId, uint64 deadline);
    error DeadlineNotReached(uint256 requestId, uint64 deadline);
    error InvalidRequestStatus(uint256 requestId, RequestStatus status);
    error LockedByAnotherProver(uint256 requestId, address prover, uint64 lockDeadline);
    error NotLocker(uint256 requestId, address locker);
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

    /// @notice The model id a provider gets for a verifying key: keccak256(abi.encode(provider, vkHash)).
    function modelIdOf(address provider, bytes32 vkHash) public pure returns (bytes32) {
        return keccak256(abi.encode(provider, vkHash));
    }

    /// @notice Registers a model; the caller becomes its provider and the id commits to it (see `modelIdOf`).
    /// @param vkHash keccak256 of the model's verifying key bytes.
    /// @param verifier An IProofVerifier for this model (a Halo2Verifier or an AttestationVerifier).
    /// @param price Minimum payment for one proof, in wei.
    /// @param lockCollateral Least collateral a prover deposits to lock a request, in wei (> 0).
    /// @param lockDuration Seconds a lock gives its prover the exclusive right to fulfil (1 .. MAX_LOCK_DURATION).
    /// @param inputInstanceCount Number of leading public instances that are the inputs (hashed into the commitment).
    /// @param artifactUri Where the model's artifacts (circuit, keys, settings) are stored.
    /// @return modelId The new model's id.
    function registerModel(
        bytes32 vkHash,
        address verifier,
        uint256 price,
        uint256 lockCollateral,
        uint64 lockDuration,
        uint32 inputInstanceCount,
        string calldata artifactUri
    ) external returns (bytes32 modelId) {
        modelId = modelIdOf(msg.sender, vkHash);
        if (_models[modelId].provider != address(0)) revert ModelAlreadyRegistered(modelId);
        if (vkHash == bytes32(0) || verifier.code.length == 0) revert InvalidModel();
        if (lockDuration == 0 || lockDuration > MAX_LOCK_DURATION) {
            revert InvalidLockDuration(lockDuration, MAX_LOCK_DURATION);
        }
        if (inputInstanceCount > MAX_INPUT_INSTANCES) {
            revert TooManyInputInstances(inputInstanceCount, MAX_INPUT_INSTANCES);
        }
        if (lockCollateral == 0) revert CollateralRequired();
        if (price > type(uint96).max) revert AmountTooLarge(price);
        if (lockCollateral > type(uint96).max) revert AmountTooLarge(lockCollateral);
        _checkUri(artifactUri);
        _models[modelId] = Model({
            provider: msg.sender,
            price: uint96(price),
            verifier: verifier,
            lockDuration: lockDuration,
            inputInstanceCount: inputInstanceCount,
            lockCollateral: lockCollateral,
            vkHash: vkHash,
            artifactUri: artifactUri
        });
        emit ModelRegistered(
            modelId, msg.sender, vkHash, verifier, price, lockCollateral, lockDuration, inputInstanceCount, artifactUri
        );
    }

    /// @notice Requests a proof of one inference; the payment (msg.value, at least the model's price) is held in escrow.
    /// @param inputCommitment keccak256 of the input public instances (32-byte big-endian words, concatenated).
    /// @param inputUri Where the input is stored.
    /// @param deadline Unix time after which the request can no longer be fulfilled and may be refunded; at most
    ///        MAX_DEADLINE_AHEAD after now.
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
        if (deadline > block.timestamp + MAX_DEADLINE_AHEAD) {
            revert DeadlineTooFar(deadline, block.timestamp + MAX_DEADLINE_AHEAD);
        }
        _checkUri(inputUri);
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

    /// @notice The collateral `lock(requestId)` takes: the model's collateral, or MIN_COLLATERAL_BPS of the payment
    ///         when that is more.
    function requiredCollateral(uint256 requestId) public view returns (uint256) {
        Request storage request = _pending(requestId);
        return _requiredCollateral(_models[request.modelId].lockCollateral, request.payment);
    }

    /// @notice Locks a request with exactly `requiredCollateral(requestId)` (msg.value): only the caller may fulfil it
    ///         from now on. An open request can be locked; so can a locked one whose lock deadline has passed, which
    ///         slashes the absent locker (`requesterSlashBps` to the requester, the rest burned). Until the deadline.
    function lock(uint256 requestId) external payable {
        Request storage request = _pending(requestId);
        RequestStatus status = request.status;
        if (status == RequestStatus.Locked) {
            if (block.timestamp <= request.lockDeadline) {
                revert LockedByAnotherProver(requestId, request.prover, request.lockDeadline);
            }
        } else if (status != RequestStatus.Open) {
            revert InvalidRequestStatus(requestId, status);
        }
        if (block.timestamp > request.deadline) revert DeadlineExpired(requestId, request.deadline);
        Model storage model = _models[request.modelId];
        uint256 required = _requiredCollateral(model.lockCollateral, request.payment);
        if (msg.value != required) revert IncorrectCollateral(required, msg.value);
        if (status == RequestStatus.Locked) {
            uint256 toRequester = _slash(requestId, request);
            if (toRequester > 0) _credit(request.requester, requestId, toRequester, CreditReason.SlashShare);
        }
        uint64 lockDeadline = uint64(block.timestamp) + model.lockDuration;
        if (lockDeadline > request.deadline) lockDeadline = request.deadline;
        request.status = RequestStatus.Locked;
        request.prover = msg.sender;
        request.collateral = uint96(msg.value);
        request.lockDeadline = lockDeadline;
        emit RequestLocked(requestId, msg.sender, msg.value, lockDeadline);
    }

    /// @notice Fulfils a locked request with a proof; only its locker may, until the request's deadline (after the
    ///         lock deadline as long as nobody took the lock over). The leading input instances must hash to the
    ///         request's commitment and the model's verifier must accept the proof. The locker is credited the payment
    ///         and its collateral.
    function fulfil(uint256 requestId, bytes calldata proof, uint256[] calldata instances, string calldata proofUri)
        external
        nonReentrant
    {
        Request storage request = _pending(requestId);
        if (request.status != RequestStatus.Locked) revert InvalidRequestStatus(requestId, request.status);
        if (msg.sender != request.prover) revert NotLocker(requestId, request.prover);
        if (block.timestamp > request.deadline) revert DeadlineExpired(requestId, request.deadline);
        _checkUri(proofUri);
        Model storage model = _models[request.modelId];
        uint256 inputCount = _checkInputs(request, model.inputInstanceCount, instances);
        _contextRequestId = requestId;
        _contextProver = msg.sender;
        _verify(requestId, model.verifier, proof, instances);
        _contextRequestId = 0;
        _contextProver = address(0);
        request.status = RequestStatus.Fulfilled;
        _credit(msg.sender, requestId, uint256(request.payment) + request.collateral, CreditReason.Payout);
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
        if (status == RequestStatus.Locked) amount += _slash(requestId, request);
        _credit(request.requester, requestId, amount, CreditReason.Refund);
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

    /// @inheritdoc IFulfilmentContext
    function fulfilmentContext() external view returns (uint256 requestId, address prover) {
        return (_contextRequestId, _contextProver);
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

    /// @dev Slashes the request's current lock: burns the part that is not the requester's, returns the requester's.
    function _slash(uint256 requestId, Request storage request) private returns (uint256 toRequester) {
        uint256 collateral = request.collateral;
        toRequester = collateral * requesterSlashBps / 10_000;
        uint256 burned = collateral - toRequester;
        burnedCollateral += burned;
        emit CollateralSlashed(requestId, request.prover, toRequester, burned);
    }

    function _credit(address account, uint256 requestId, uint256 amount, CreditReason reason) private {
        _balances[account] += amount;
        emit Credited(account, requestId, amount, reason);
    }

    function _requiredCollateral(uint256 modelCollateral, uint256 payment) private pure returns (uint256) {
        uint256 scaled = payment * MIN_COLLATERAL_BPS / 10_000;
        return scaled > modelCollateral ? scaled : modelCollateral;
    }

    function _checkUri(string calldata uri) private pure {
        if (bytes(uri).length > MAX_URI_LENGTH) revert UriTooLong(bytes(uri).length, MAX_URI_LENGTH);
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
