/* tslint:disable */
/* eslint-disable */

/**
 * A function with the global `fetch` contract. The client calls it as
 * `fetch(url, { method, headers, body, redirect: "manual", signal })` and reads
 * `status`, `headers` and `text()` of what it resolves to.
 * In a HubSpot UI extension, pass `hubspotFetch(hubspot.fetch)`.
 */
export type FetchLike = (
url: string,
init: { method: string; headers: Record<string, string>; body?: string; redirect: "manual"; signal: AbortSignal },
) => Promise<{ status: number; type?: string; headers: Headers | Record<string, string>; text(): Promise<string> }>;

/** Options of `new SpotDraftClient(options)`. */
export interface SpotDraftClientOptions extends ClientConfigInput {
    /**
     * Your fetch function. Default: in Node (20.16+), Node's own `http`/`https` modules with
     * their keep-alive agents (faster than Node's `fetch`); elsewhere the global `fetch`.
     * Pass `globalThis.fetch` to use fetch in Node too (e.g. with an undici dispatcher).
     * In a HubSpot UI-extension card: `hubspotFetch(hubspot.fetch)`, which also refuses
     * `clientId`, `clientSecret`, `userEmail` and `region` (your proxy adds credentials).
     */
    fetch?: FetchLike;
    /** Proxy mode: headers added to every request (e.g. your own session token). */
    headers?: () => Record<string, string> | Promise<Record<string, string>>;
    /**
     * A request budget shared with other processes of the same workspace (SpotDraft allows
     * 10 requests per second per workspace): before each attempt the client awaits
     * `reserve()`, which books the next slot and resolves with the milliseconds to wait for
     * it. Replaces the client's own limiter (so `maxRequestsPerSecond` cannot be set with
     * it). A budget that fails rejects the call with `STORE_ERROR`, one booked more than
     * 60 s ahead with `RATE_LIMITED`; either way nothing is sent. E.g. `PostgresRateBudget`
     * from `spotdraft-sync/server/postgres`.
     */
    rateBudget?: { reserve(): number | Promise<number> };
    /** Called before each attempt (no secrets, no query strings). */
    onRequest?: (event: RequestEvent) => void;
    /** Called after each attempt. */
    onResponse?: (event: RequestEvent) => void;
}




/**
 * A record by SpotDraft's numeric contract id, by a store key (`"contract:19589"`,
 * `"external:hubspot-deal-10024"`), or by an object with `contractId`.
 */
export type RecordRef = number | string | { contractId: number };

/** A contract's file, fetched through a freshly minted link (which is not returned). */
export interface FetchedDocument {
    /** The file's bytes. */
    bytes: Uint8Array;
    /** SpotDraft's `file_name`. */
    fileName: string;
    /** SpotDraft's `current_version_id`, when sent. */
    versionId?: number;
    /** When the link was minted (ISO 8601, this machine's clock). */
    fetchedAt: string;
    /** The record, with `document` updated. */
    record: SyncRecord;
}



/**
 * Every failure of spotdraft-sync: a real `Error` whose `name` is `"SpotDraftError"`.
 * Branch on `code` (stable); `message` says what went wrong and what to do.
 * Secrets and signed URLs never appear in any field.
 */
export interface SpotDraftError extends Error {
    name: "SpotDraftError";
    /** Stable machine-readable code. */
    code: ErrorCode;
    /** HTTP status, when SpotDraft (or the proxy) answered. */
    status?: number;
    /** SpotDraft's request id, when its response carried one. */
    requestId?: string;
    /** SpotDraft's own error code, e.g. `SD_PUBLIC_00009`. */
    spotdraftCode?: string;
    /** Located problems, each with a JSON path. */
    details?: ErrorDetail[];
}

/** True when `value` is a {@link SpotDraftError} thrown by this package. */
export function isSpotDraftError(value: unknown): value is SpotDraftError;



/**
 * HubSpot's `hubspot.fetch` (`import { hubspot } from "@hubspot/ui-extensions"`), as
 * `hubspotFetch` calls it: a JSON object body, HubSpot's `timeout` (ms, at most 120000), and
 * at most the `Authorization` header. It takes no `AbortSignal`.
 */
export type HubSpotFetch = (
url: string,
options: {
    method: "GET" | "POST" | "PATCH" | "DELETE";
    timeout: number;
    body?: Record<string, unknown>;
    headers?: { Authorization: string };
},
) => Promise<{ status: number; text(): Promise<string> }>;



/**
 * Storage for `SyncEngine`'s records. Implement it over your own database, or use
 * `MemoryStore` (tests, one process) or `IndexedDbStore` (browsers, web workers).
 *
 * Keys are opaque strings (`"contract:19589"`, `"external:hubspot-deal-10024"`); the engine
 * writes each record under every key it can be found by, and reads with `get` in lookup
 * order. Records are plain JSON data: store them as given (e.g. as JSON text) and return
 * them unchanged. Methods may return a value or a promise; a throw or rejection becomes a
 * `SpotDraftError` with code `STORE_ERROR`.
 */
export interface SyncStore {
    /** The record stored under `key`, or `null` (or `undefined`) when there is none. */
    get(key: string): Promise<SyncRecord | null | undefined> | SyncRecord | null | undefined;
    /** Stores `record` under `key`, replacing what was there. */
    put(key: string, record: SyncRecord): Promise<void> | void;
    /**
     * Every stored record, in any order. A record stored under two keys may appear twice;
     * `reconcile` keeps one per `contractId`.
     */
    list(): Promise<SyncRecord[]> | SyncRecord[];
    /**
     * Optional, with `putIfVersion`: the record under `key` with its version (a number or
     * string that changes on every write, e.g. a row's version column), or `null`. A store
     * with both lets several processes share it without losing updates: the engine writes
     * the `contract:<id>` row compare-and-set, and re-reads and re-merges after a conflict
     * (giving up after a few attempts with a `STORE_ERROR` that says it was contention).
     */
    getVersioned?(key: string): Promise<VersionedRecord | null | undefined> | VersionedRecord | null | undefined;
    /**
     * Optional, with `getVersioned`: stores `record` under `key` only if the version there is
     * still `expectedVersion` (`null`: only if `key` holds nothing); `true` when written,
     * `false` when someone else wrote first (then write nothing).
     */
    putIfVersion?(key: string, record: SyncRecord, expectedVersion: StoreVersion | null): Promise<boolean> | boolean;
}

/** A store's version of one key's value: opaque to the engine, handed back as given. */
export type StoreVersion = number | string;

/** What `SyncStore.getVersioned` returns. */
export interface VersionedRecord {
    record: SyncRecord;
    version: StoreVersion;
}


/**
 * A UTC instant with microsecond precision, between 0000-01-01 and 9999-12-31.
 *
 * Serialised as canonical RFC 3339 text in UTC with exactly six fraction digits
 * (`2021-08-22T03:53:52.201442Z`), so equal instants serialise identically and the text
 * sorts chronologically. Deserialised from any RFC 3339 text [`Timestamp::parse`] accepts.
 */
export type Timestamp = string;

/**
 * A `CfPublicDescriptor`: one template field or one child of a nested field.
 */
export interface TemplateAttribute {
    /**
     * Label shown to users (`"Fee > Value"` for children).
     */
    display_label?: string;
    /**
     * Variable name; nested names contain a `.`.
     */
    variable: string;
    /**
     * `string`, `boolean`, `int`, `float`, `array of strings`, `array of options`, `enum`,
     * `date`, `repeating`, `array of files` (a string so that a new type is not an error).
     */
    type: string;
    /**
     * Whether the field must be filled (SpotDraft's default is true). The deprecated v1
     * shape calls it `mandatory`.
     */
    required?: boolean;
    /**
     * Help text.
     */
    help_text?: string;
    /**
     * Question shown in intake forms.
     */
    question?: string;
    /**
     * Default value.
     */
    default_value?: unknown;
    /**
     * Options of `enum` and `array of options` fields.
     */
    options?: TemplateOption[];
    /**
     * For a child: the variable of the object it lives in.
     */
    parent_variable?: string;
    /**
     * For a child: the SpotDraft type of its parent (`currency`, `duration`, `address` …).
     */
    parent_type?: string;
    /**
     * For a child: whether the parent object must be present.
     */
    parent_required?: boolean;
    /**
     * For a child: its key inside the parent object.
     */
    child_variable?: string;
    /**
     * For `repeating`: the shape of one row.
     */
    attributes?: TemplateAttribute[];
}

/**
 * A `contract_data` value.
 *
 * Dates, date-times and single dropdown values are [`FieldValue::Text`] on the wire; build
 * them with [`FieldValue::date`] so they are well formed. Row objects of a repeating
 * field map field names to values.
 */
export type FieldValue = null | boolean | number | string | OptionValue[] | Record<string, FieldValue>[] | Currency | DurationValue | Phone | FileRef | Address | Record<string, unknown> | unknown[];

/**
 * A `contract_status` as sent: one of SpotDraft's statuses, or an unknown string kept
 * verbatim (the sync then asks for a status refresh instead of guessing).
 */
export type EventStatus = ContractStatus | (string & {});

/**
 * A contract as SpotDraft returns it on create and in lookups.
 */
export interface ContractSummary {
    /**
     * Composite id, e.g. `T-1234`: the id every other call takes.
     */
    id: string;
    /**
     * Numeric id (webhooks carry only this).
     */
    contractId?: number;
    /**
     * Display status.
     */
    contractStatus?: ContractStatus;
    /**
     * Name.
     */
    contractName?: string;
    /**
     * Link to the contract in SpotDraft's app.
     */
    contractLink?: string;
    /**
     * When it was created (ISO 8601, as sent).
     */
    created?: string;
    /**
     * Human contract number, e.g. `SD-1234`.
     */
    referenceId?: string;
    /**
     * Counterparty name.
     */
    counterPartyName?: string;
    /**
     * Contract type.
     */
    contractTypeName?: string;
    /**
     * `external_metadata` as stored, unchanged.
     */
    externalMetadata?: Record<string, unknown>;
}

/**
 * A contract's metadata values.
 */
export interface KeyPointers {
    /**
     * Every value, in SpotDraft's order.
     */
    items: KeyPointer[];
    /**
     * The values by `field_name`. If SpotDraft lists a field twice, the first one is here
     * (both are in `items`).
     */
    byFieldName: Record<string, KeyPointer>;
}

/**
 * A contract's status and name.
 */
export interface ContractStatusResult {
    /**
     * The display status.
     */
    contractStatus: ContractStatus;
    /**
     * The contract's name.
     */
    contractName: string;
}

/**
 * A counterparty in an event.
 */
export interface Counterparty {
    /**
     * `"Organization"` or `"Individual"`.
     */
    type?: string;
    /**
     * The counterparty's name.
     */
    organizationName?: string;
    /**
     * Point of contact's name.
     */
    pocName?: string;
    /**
     * Point of contact's email.
     */
    pocEmail?: string;
    /**
     * SpotDraft's counterparty id.
     */
    counterpartyId?: number;
}

/**
 * A create the engine started for one external id and has not seen the contract of.
 */
export interface CreateIntent {
    /**
     * Where it stands.
     */
    state: IntentState;
    /**
     * When the first create for this external id was about to be sent (engine clock).
     */
    firstAttemptAt: Timestamp;
    /**
     * When the latest create was about to be sent (engine clock); the settle deadline
     * counts from here.
     */
    lastAttemptAt: Timestamp;
    /**
     * Create requests about to be sent so far, over every process that worked on it.
     */
    attempts: number;
}

/**
 * A failure reported without throwing (an action, or one record of a reconcile pass).
 */
export interface SyncFailure {
    /**
     * The contract.
     */
    contractId?: number;
    /**
     * The error's code.
     */
    code: ErrorCode;
    /**
     * The error's message.
     */
    message: string;
    /**
     * HTTP status, when there was a response.
     */
    status?: number;
}

/**
 * A metadata value with its type made explicit.
 */
export type KeyPointerValue = { kind: "EMPTY" } | { kind: "TEXT"; value: string } | { kind: "NUMBER"; value: number } | { kind: "BOOLEAN"; value: boolean } | { kind: "DATE"; value: string } | { kind: "DATE_TIME"; value: string } | { kind: "CURRENCY"; currency: string; amount: number } | { kind: "DURATION"; unit: string; amount: number; days?: number } | { kind: "ADDRESS"; address: AddressValue } | { kind: "LIST"; values: unknown[] } | { kind: "OBJECT"; value: unknown };

/**
 * A part of a `concat`: literal text, or a value spec.
 */
export type ConcatPart = string | ValueSpec;

/**
 * A postal address inside `contract_data` (all members optional on the wire; a template
 * says which it requires).
 */
export interface Address {
    /**
     * Street and number.
     */
    line_one?: string;
    /**
     * Second line.
     */
    line_two?: string;
    /**
     * City.
     */
    city?: string;
    /**
     * State or region.
     */
    state?: string;
    /**
     * Country name.
     */
    country?: string;
    /**
     * Postal code.
     */
    zipcode?: string;
    /**
     * ISO 3166-1 alpha-2 code.
     */
    country_iso_code?: string;
}

/**
 * A postal address value (keys as SpotDraft's address objects name them).
 */
export interface AddressValue {
    /**
     * `line_one`.
     */
    lineOne?: string;
    /**
     * `line_two`.
     */
    lineTwo?: string;
    /**
     * `city`.
     */
    city?: string;
    /**
     * `state`.
     */
    state?: string;
    /**
     * `country` (a name).
     */
    country?: string;
    /**
     * `country_iso_code`.
     */
    countryIsoCode?: string;
    /**
     * `zipcode`.
     */
    zipcode?: string;
}

/**
 * A reconciliation plan.
 */
export interface ReconcilePlan {
    /**
     * Records to poll, by ascending contract id.
     */
    targets: PollTarget[];
    /**
     * Pass this to the next plan to continue; `None` when this plan reached the end.
     */
    nextCursor?: ReconcileCursor;
    /**
     * Records after the cursor that were looked at.
     */
    scanned: number;
    /**
     * Skipped: executed, voided or deleted.
     */
    skippedSettled: number;
    /**
     * Skipped: news within `staleAfter`.
     */
    skippedFresh: number;
    /**
     * Skipped: flagged `NOT_FOUND` (polled again only once an event or a poll finds it).
     */
    skippedNotFound: number;
}

/**
 * A registered webhook (`PublicWebhookResponse`). `Debug` shows custom header names only.
 */
export interface Webhook {
    /**
     * The webhook id: keep it, SpotDraft has no endpoint to list webhooks.
     */
    id: number;
    /**
     * Title.
     */
    title: string;
    /**
     * The URL events are sent to.
     */
    url: string;
    /**
     * The activities delivered (`only_for_activities`).
     */
    activities: WebhookActivity[];
    /**
     * State.
     */
    status: WebhookStatus;
    /**
     * Description, when set.
     */
    description?: string;
    /**
     * Custom headers sent with each delivery.
     */
    customHeaders: Record<string, string>;
    /**
     * Who registered it, when SpotDraft sent it.
     */
    createdByUser?: WebhookUser;
}

/**
 * A template the workspace can use (`TemplateResponse`, `TemplateResponseV2`).
 */
export interface Template {
    /**
     * The template id (`contract_template_id` of a create).
     */
    id: number;
    /**
     * The template's name.
     */
    name: string;
    /**
     * The contract type the template belongs to, when SpotDraft sent it.
     */
    contractTypeId?: number;
    /**
     * Tags (only the details endpoint sends them; empty in lists).
     */
    tags?: string[];
}

/**
 * A temporary link to a contract's file. Fetch it right away: SpotDraft documents no
 * lifetime. `Debug` shows only the URL's length.
 */
export interface DownloadLink {
    /**
     * The signed URL. Treat it as a secret: do not log or store it.
     */
    url: string;
    /**
     * The file's name, e.g. `"Standard NDA a3b2.pdf"`.
     */
    fileName: string;
    /**
     * SpotDraft's id of the contract version the file belongs to (`current_version_id`),
     * when SpotDraft sent it.
     */
    versionId?: number;
    /**
     * When the link was requested (ISO 8601, the caller's clock): the link cannot be
     * older than this.
     */
    fetchedAt: string;
}

/**
 * A user as SpotDraft describes one in events.
 */
export interface Person {
    /**
     * Name (`"SYSTEM"` for system actions).
     */
    name?: string;
    /**
     * Email, when known.
     */
    email?: string;
}

/**
 * A webhook's state (`PublicWebhookResponseStatusEnum`). A status this library does not
 * know is kept as sent rather than refused: refusing the 201 of a registration would hide
 * the id of a webhook that exists, and a retry would register a second one.
 */
export type WebhookStatus = "ACTIVE" | "DISABLED_BY_USER" | "DISABLED_BY_ERROR" | (string & {});

/**
 * A whole mapping.
 */
export interface Mapping {
    /**
     * Free text for the admin (not used).
     */
    description?: string;
    /**
     * Rules, applied in order.
     */
    fields: FieldRule[];
}

/**
 * An RFC 3339 timestamp kept exactly as sent, with its parsed instant.
 */
export type EventTime = string;

/**
 * An attempt as `onRequest` / `onResponse` see it: no headers, no body, no query string
 * (so no secret and no signed URL).
 */
export interface RequestEvent {
    /**
     * Method name, e.g. `getContractStatus`.
     */
    operation: string;
    /**
     * HTTP method.
     */
    method: string;
    /**
     * Path without the query string.
     */
    path: string;
    /**
     * 1 for the first attempt.
     */
    attempt: number;
    /**
     * HTTP status (`onResponse`, when a response came back).
     */
    status?: number;
    /**
     * Milliseconds the attempt took (`onResponse`).
     */
    elapsedMs: number;
    /**
     * SpotDraft's request id, when the response had one.
     */
    requestId?: string;
    /**
     * Error code of an attempt that got no response.
     */
    errorCode?: ErrorCode;
}

/**
 * An extra email attachment.
 */
export interface EmailAttachment {
    /**
     * File name.
     */
    file_name: string;
    /**
     * MIME type.
     */
    mime_type: string;
    /**
     * Content, standard base64.
     */
    content_base64: string;
}

/**
 * An extra file sent with the email (`EmailBase64Attachment`).
 */
export interface ExtraAttachment {
    /**
     * File name shown to the recipient, e.g. `"Order form.pdf"`.
     */
    fileName: string;
    /**
     * MIME type, e.g. `"application/pdf"`.
     */
    mimeType: string;
    /**
     * The file's bytes, standard padded base64.
     */
    contentBase64: string;
}

/**
 * Argument of `track`.
 */
export interface TrackInput {
    /**
     * SpotDraft's numeric contract id (`contractId` of `createContract`'s contract).
     */
    contractId: number;
    /**
     * The composite id (`id` of `createContract`'s contract, e.g. `"T-1234"`).
     */
    compositeId?: string;
    /**
     * Your record's id (`external_metadata.id`).
     */
    externalId?: string;
}

/**
 * Attachment format of a sent contract.
 */
export type AttachmentFormat = "DOCX" | "PDF" | "TEMPLATE";

/**
 * Follow-up work the caller should do.
 */
export type SyncActionKind = "FETCH_KEY_POINTERS" | "FETCH_DOCUMENT" | "REFRESH_STATUS" | "RESOLVE_COMPOSITE_ID";

/**
 * How a follow-up action ended.
 */
export type SyncActionOutcome = "DONE" | "SKIPPED" | "FAILED";

/**
 * How a source date is written.
 */
export type DateInput = "AUTO" | "EPOCH_MILLIS" | "MDY" | "DMY";

/**
 * One contract's sync state.
 */
export interface SyncRecord {
    /**
     * SpotDraft's numeric contract id (what webhooks carry).
     */
    contractId: number;
    /**
     * SpotDraft's composite id (`T-123`/`H-123`), the one the API paths take. Known from
     * `createContract`, or inferred as `T-<contractId>` from an event whose `contract_kind`
     * is a workflow kind; otherwise absent (flag `COMPOSITE_ID_UNKNOWN`).
     */
    compositeId?: string;
    /**
     * The source system's id (`external_metadata.id`).
     */
    externalId?: string;
    /**
     * Event time of the `external_metadata.id` last taken (absent when set at creation).
     */
    externalIdAt?: Timestamp;
    /**
     * The contract's title, from the newest event that carried one.
     */
    contractTitle?: string;
    /**
     * Event time of `contractTitle`.
     */
    contractTitleAt?: Timestamp;
    /**
     * Derived: the status SpotDraft shows now, as far as events and polls tell:
     * the terminal status if any, else `ON_HOLD` if the newest news is a hold, else `stage`.
     */
    status?: ContractStatus;
    /**
     * Derived: the furthest lifecycle status reached (never `ON_HOLD`); never moves back.
     */
    stage?: ContractStatus;
    /**
     * Derived: the newest time `status` was reported (event time or poll time).
     */
    statusObservedAt?: Timestamp;
    /**
     * Every status reported so far with its first and last report time, ordered by
     * [`status_rank`] (`ON_HOLD` last). The source of `status`, `stage` and the flags.
     */
    statusHistory?: StatusSpan[];
    /**
     * Newest event time applied.
     */
    lastEventAt?: Timestamp;
    /**
     * Keys of the newest applied deliveries (`<instant>|<contractId>|<activity>`), sorted,
     * at most [`MAX_APPLIED_EVENT_KEYS`].
     */
    appliedEventKeys?: string[];
    /**
     * Newest event time of an event whose status was missing or unknown.
     */
    statusUnknownAt?: Timestamp;
    /**
     * Event time of a `CONTRACT_DELETED`.
     */
    deletedAt?: Timestamp;
    /**
     * When the caller started tracking this contract (e.g. right after creating it).
     */
    trackedSince?: Timestamp;
    /**
     * Newest poll that found the contract (caller's clock).
     */
    lastFoundAt?: Timestamp;
    /**
     * Newest poll that answered 404 (caller's clock).
     */
    notFoundAt?: Timestamp;
    /**
     * Selected key pointers, normalized: `field_name` → value.
     */
    keyPointers?: Record<string, unknown>;
    /**
     * When `keyPointers` were fetched (caller's clock).
     */
    keyPointersFetchedAt?: Timestamp;
    /**
     * The `asOf` of the fetch action `keyPointers` answer.
     */
    keyPointersAsOf?: Timestamp;
    /**
     * Newest event time of a key-pointer or contract-data change.
     */
    keyPointersChangedAt?: Timestamp;
    /**
     * The executed file, once fetched.
     */
    document?: DocumentRef;
    /**
     * Derived: what needs a person or a repair, sorted.
     */
    needsAttention?: AttentionFlag[];
    /**
     * Only on a placeholder (`contractId` 0, stored under `external:<id>` only): a create
     * `engine.createContract` started for this external id whose contract is not known
     * yet. Replaced by the contract's record once it is (see `resolveOpenIntents`).
     */
    createIntent?: CreateIntent;
}

/**
 * One counterparty.
 */
export interface CounterPartyDetails {
    /**
     * True for a person, false for an organisation.
     */
    is_individual: boolean;
    /**
     * The workspace's label for the organisation type (`"company"`, `"LLC"` …). Free text:
     * each workspace configures its own list, so this is never an enum.
     */
    organization_type?: string;
    /**
     * Legal name; required when `is_individual` is false.
     */
    organization_name?: string;
    /**
     * Point of contact (always required).
     */
    poc_details: PocDetails;
    /**
     * Jurisdiction and address.
     */
    organization_details?: OrganizationDetails;
    /**
     * Role of the party in multi-party templates (min length 1).
     */
    party_role_identifier?: string;
}

/**
 * One follow-up action's result.
 */
export interface SyncActionResult {
    /**
     * The action.
     */
    kind: SyncActionKind;
    /**
     * How it ended.
     */
    outcome: SyncActionOutcome;
    /**
     * Why it was skipped.
     */
    reason?: string;
    /**
     * Why it failed.
     */
    error?: SyncFailure;
}

/**
 * One follow-up action.
 */
export interface SyncAction {
    /**
     * What to do.
     */
    kind: SyncActionKind;
    /**
     * The contract.
     */
    contractId: number;
    /**
     * The composite id for API paths, when known.
     */
    compositeId?: string;
    /**
     * The source system's id, when known.
     */
    externalId?: string;
    /**
     * For `FETCH_KEY_POINTERS`: the change the fetch answers; pass it back as `asOf`.
     */
    asOf?: Timestamp;
}

/**
 * One located problem: where (a JSON path), what (a stable detail code) and what to do.
 */
export interface ErrorDetail {
    /**
     * JSON path of the offending value, e.g. `counter_party_details[0].organization_name`.
     */
    path: string;
    /**
     * Stable code of this detail, e.g. `REQUIRED`, `UNKNOWN_FIELD`.
     */
    code: string;
    /**
     * What is wrong and what to do about it.
     */
    message: string;
    /**
     * Where the value came from in a source record (record mapping only).
     */
    sourcePath?: string;
    /**
     * A likely intended value, e.g. the field name closest to an unknown key.
     */
    suggestion?: string;
}

/**
 * One metadata value of a contract.
 */
export interface KeyPointer {
    /**
     * SpotDraft's id of this value (for updating it).
     */
    id: number;
    /**
     * The template variable (`field_name`), e.g. `"customer_name"`.
     */
    fieldName: string;
    /**
     * Label shown to users.
     */
    label: string;
    /**
     * SpotDraft's `data_type` as sent (its vocabulary is not documented).
     */
    dataType: string;
    /**
     * The value, typed.
     */
    value: KeyPointerValue;
    /**
     * The value exactly as SpotDraft sent it.
     */
    raw: unknown;
    /**
     * SpotDraft's `format_option`, as sent.
     */
    formatOption?: unknown;
}

/**
 * One option of an `enum` / `array of options` descriptor.
 */
export interface TemplateOption {
    /**
     * Label shown to users.
     */
    label?: string;
    /**
     * Value sent to the API (string or number; absent means the label is used, UNKNOWN).
     */
    value?: string | number;
}

/**
 * One option value of a dropdown or multi-select: string or number.
 */
export type OptionValue = string | number;

/**
 * One problem: where, what, and what to do.
 */
export interface ValidationIssue {
    /**
     * JSON path in the create body, e.g. `counter_party_details[0].organization_name`
     * (`""` for the body itself).
     */
    path: string;
    /**
     * Stable code.
     */
    code: IssueCode;
    /**
     * What is wrong and what to do about it.
     */
    message: string;
    /**
     * Record mapping only: the path in the source record the value came from.
     */
    sourcePath?: string;
    /**
     * A likely intended value: the closest field name, option value or counterparty name.
     */
    suggestion?: string;
}

/**
 * One record to poll.
 */
export interface PollTarget {
    /**
     * The contract.
     */
    contractId: number;
    /**
     * The composite id for `GET /contracts/{compositeId}/status`; absent when unknown
     * (resolve it first, see `RESOLVE_COMPOSITE_ID`).
     */
    compositeId?: string;
    /**
     * The source system's id, when known.
     */
    externalId?: string;
}

/**
 * One rule: a target path and where its value comes from.
 */
export interface FieldRule {
    /**
     * Path in the payload, e.g. `counter_party_details[0].poc_details.email`.
     */
    target: string;
    /**
     * Path in the record.
     */
    source?: string;
    /**
     * A constant.
     */
    const?: unknown;
    /**
     * Parts joined into text.
     */
    concat?: ConcatPart[];
    /**
     * Joins `concat` parts.
     */
    separator?: string;
    /**
     * A currency object.
     */
    currency?: CurrencySpec;
    /**
     * A duration object.
     */
    duration?: DurationSpec;
    /**
     * Steps applied in order.
     */
    transform?: Transform[];
    /**
     * Used when the value is missing.
     */
    default?: unknown;
    /**
     * Skip the target when the value is missing.
     */
    optional?: boolean;
    /**
     * Path of a source array: builds an array at `target`, one element per item.
     */
    each?: string;
    /**
     * With `each`: rules for one element, relative to the item and the element.
     */
    fields?: FieldRule[];
}

/**
 * One signatory.
 */
export interface Signatory {
    /**
     * Full name.
     */
    name: string;
    /**
     * Email address.
     */
    email: string;
    /**
     * Job title.
     */
    title?: string;
    /**
     * True when signing for a counterparty.
     */
    is_counterparty_signatory: boolean;
    /**
     * For counterparty signatories: the counterparty's `organization_name`, or
     * `"<first_name> <last_name>"` of an individual. Leave out for your own side.
     */
    counterparty_name?: string;
    /**
     * Signing position (on all signatories or none).
     */
    sign_order?: number;
    /**
     * Note to the signatory.
     */
    note?: string;
}

/**
 * One transform step (`{"op": "NUMBER"}`).
 */
export type Transform = { op: "DATE"; from?: DateInput } | { op: "DATETIME" } | { op: "NUMBER"; decimalSeparator?: string } | { op: "INTEGER" } | { op: "BOOLEAN" } | { op: "STRING" } | { op: "TRIM" } | { op: "UPPER" } | { op: "LOWER" } | { op: "SPLIT"; separator: string } | { op: "LOOKUP"; table: Record<string, unknown>; default?: unknown };

/**
 * One webhook delivery from SpotDraft.
 */
export interface WebhookEvent {
    /**
     * What happened.
     */
    activity: WebhookActivity;
    /**
     * Who did it and when.
     */
    activityData: ActivityData;
    /**
     * SpotDraft's numeric contract id (the composite id is not in webhooks).
     */
    contractId: number;
    /**
     * The contract's display status when the event was sent; `None` when absent or not a
     * string. An unknown status string is kept as [`EventStatus::Unknown`].
     */
    contractStatus?: EventStatus;
    /**
     * The contract's workflow kind.
     */
    contractKind?: ContractKind;
    /**
     * The contract's title.
     */
    contractTitle?: string;
    /**
     * The contract type.
     */
    contractType?: string;
    /**
     * The contract type's name.
     */
    contractTypeName?: string;
    /**
     * The contract type's id.
     */
    contractTypeId?: number;
    /**
     * The business owner.
     */
    businessUser?: Person;
    /**
     * The legal owner.
     */
    legalUser?: Person;
    /**
     * When the contract was created, as SpotDraft sent it.
     */
    createdAt?: string;
    /**
     * Counterparties, when set.
     */
    counterparties?: Counterparty[];
    /**
     * The source system's reference, when the contract has one.
     */
    externalMetadata?: EventExternalMetadata;
    /**
     * The contracting entity, when set.
     */
    entity?: Entity;
    /**
     * The human contract number (e.g. `SD-1234`).
     */
    contractReferenceId?: string;
    /**
     * The template id, for template contracts.
     */
    contractTemplateId?: number;
}

/**
 * Options of `createContract` (beside the call options). Unknown keys are refused.
 */
export interface CreateContractOptions {
    /**
     * Template metadata (`getTemplateMetadata`) or a `CompiledTemplate` document to validate
     * `contract_data` against before sending.
     */
    templateMetadata?: TemplateMetadata;
    /**
     * Validate locally before the network (default true); problems throw VALIDATION_FAILED.
     */
    validate?: boolean;
    /**
     * Look the external id up first and return an existing contract instead of creating
     * (makes a create idempotent across restarts; costs one GET).
     */
    checkExistingFirst?: boolean;
}

/**
 * Options of `fetchDocument` (beside the call options). Unknown keys are refused.
 */
export interface FetchDocumentOptions {
    /**
     * File format (default `"PDF"`).
     */
    format?: DownloadFormat;
}

/**
 * Options of `getDownloadLink`.
 */
export interface DownloadLinkOptions {
    /**
     * The format; default `"PDF"`.
     */
    format?: DownloadFormat;
}

/**
 * Options of `handleWebhook` (beside the call options). Unknown keys are refused.
 */
export interface HandleWebhookOptions {
    /**
     * Run the follow-up actions (key pointers, document link, status) before resolving
     * (default true). Pass false to acknowledge SpotDraft at once and call
     * `runPendingActions(record.contractId)` later, e.g. from a queue.
     */
    runActions?: boolean;
}

/**
 * Options of `new SyncEngine(options)`. Unknown keys are refused. `client`, `store` and
 * `webhookKeys` hold JS values and are read as such; the rest is JSON data.
 */
export interface SyncEngineOptions {
    /**
     * The client that runs follow-up calls (key pointers, download links, status).
     */
    client: SpotDraftClient;
    /**
     * Where records live: `new MemoryStore()`, `new IndexedDbStore()` or your own.
     */
    store: SyncStore;
    /**
     * SpotDraft's `hmac_key` (base64), or several during a key rotation. May be `[]` for an
     * engine that never receives webhooks (e.g. in a browser).
     */
    webhookKeys: string | string[];
    /**
     * Key pointers (by `field_name`) to keep on each record; default: all of them.
     */
    keyPointerFields?: string[];
}

/**
 * Options of `reconcile` (beside the call options). Unknown keys are refused.
 */
export interface ReconcileOptions {
    /**
     * At most this many status requests (default 100).
     */
    budget?: number;
    /**
     * Requests in flight at once (default 4, at most 64); the client's rate limit still applies.
     */
    concurrency?: number;
    /**
     * Poll only records without news for this long (default 3,600,000 = 1 hour).
     */
    staleAfterMs?: number;
    /**
     * Continue a pass: the `nextCursor` of the previous call.
     */
    cursor?: ReconcileCursor | null;
    /**
     * Called after each record is polled. A throwing callback is ignored.
     */
    onProgress?: (progress: ReconcileProgress) => void;
}

/**
 * Options of `sendToCounterparties`. All optional: with none, SpotDraft emails the
 * contract as a PDF to the counterparty recipients configured on the contract.
 */
export interface SendToCounterpartiesOptions {
    /**
     * Formats attached to the email; default `["PDF"]`.
     */
    attachmentFormats?: AttachmentFormat[];
    /**
     * Primary recipients; omit to use the counterparty recipients configured on the contract.
     */
    toEmails?: string[];
    /**
     * Copied recipients.
     */
    ccEmails?: string[];
    /**
     * Blind-copied recipients.
     */
    bccEmails?: string[];
    /**
     * Email subject; omit for SpotDraft's default.
     */
    subject?: string;
    /**
     * A message included in the email body.
     */
    customMessage?: string;
    /**
     * Extra files attached to the email.
     */
    extraAttachments?: ExtraAttachment[];
}

/**
 * Options of `verifyWebhook`, `verifyWebhookSignature` (and their `Async` forms) and
 * `parseWebhookEvent`. Unknown keys are refused.
 */
export interface WebhookOptions {
    /**
     * Largest body accepted, in bytes (default 1 MiB; at most 1 GiB).
     */
    maxBodyBytes?: number;
}

/**
 * Options of a single call; every method's `options` accepts them beside its own. This
 * one definition gives their TypeScript, their keys ([`call_option_keys`]) and their parser
 * ([`call_option_values`]); `signal` is read as the JS object it is.
 */
export interface CallOptions {
    /**
     * Cancels the call; no retry or timer is left running.
     */
    signal?: AbortSignal;
    /**
     * Overrides the client's per-attempt timeout (ms, 1 to 600000).
     */
    timeoutMs?: number;
    /**
     * Overrides the client's retry count for requests that are safe to repeat (0 to 10).
     */
    maxRetries?: number;
}

/**
 * Progress of a `reconcile` call.
 */
export interface ReconcileProgress {
    /**
     * Records this call set out to poll.
     */
    planned: number;
    /**
     * Status requests answered (found or 404).
     */
    polled: number;
    /**
     * Records whose status changed (drift repaired).
     */
    changed: number;
    /**
     * Records whose contract answered 404 (now flagged `NOT_FOUND`).
     */
    notFound: number;
    /**
     * Records whose request failed otherwise (see `errors`).
     */
    failed: number;
}

/**
 * Something about a record that needs a repair or a person.
 */
export type AttentionFlag = "NOT_FOUND" | "DELETED" | "STATUS_UNKNOWN" | "KEY_POINTERS_STALE" | "DOCUMENT_MISSING" | "COMPOSITE_ID_UNKNOWN" | "STATUS_REGRESSION_REFUSED" | "CONFLICTING_TERMINAL_STATUS";

/**
 * SpotDraft's `ContractDisplayStatusEnum`, exactly as on the wire.
 */
export type ContractStatus = "DRAFT" | "REDLINING" | "SIGN" | "EXECUTED" | "ON_HOLD" | "VOIDED";

/**
 * SpotDraft's regional API hosts.
 */
export type Region = "in" | "us" | "eu" | "me";

/**
 * Stable codes of validation and mapping issues, serialised as `SCREAMING_SNAKE_CASE`.
 *
 * Codes are a contract with users: add new ones, never rename or remove one.
 */
export type IssueCode = "REQUIRED" | "WRONG_TYPE" | "UNKNOWN_FIELD" | "INVALID_EMAIL" | "INVALID_DATE" | "INVALID_DATETIME" | "INVALID_COUNTRY_CODE" | "INVALID_CURRENCY_CODE" | "NOT_AN_OPTION" | "OUT_OF_RANGE" | "INVALID_UUID" | "INVALID_BASE64" | "COUNTERPARTY_NAME_MISMATCH" | "COUNTERPARTY_NAME_NOT_ALLOWED" | "SIGN_ORDER_INCONSISTENT" | "NO_COUNTERPARTY_SIGNATORY" | "COUNTERPARTY_KIND_MISMATCH" | "INVALID_TEMPLATE" | "TOO_DEEP" | "TOO_MANY_ISSUES" | "MISSING_SOURCE_VALUE" | "INVALID_PATH" | "TRANSFORM_FAILED" | "TARGET_CONFLICT" | "INVALID_MAPPING";

/**
 * Stable machine-readable error codes, serialised as `SCREAMING_SNAKE_CASE`.
 *
 * Codes are a contract with users: add new ones, never rename or remove one.
 */
export type ErrorCode = "INVALID_ARGUMENT" | "BROWSER_SECRET_REFUSED" | "INTERNAL" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "TEMPLATE_INACCESSIBLE" | "TEMPLATE_FIELD_MISMATCH" | "CREATOR_ENTITY_MISMATCH" | "VALIDATION_FAILED" | "BUSINESS_RULE" | "RATE_LIMITED" | "CONFLICT" | "SERVER_ERROR" | "HTTP_ERROR" | "NETWORK" | "TIMEOUT" | "ABORTED" | "REDIRECT" | "AMBIGUOUS_CREATE" | "INVALID_RESPONSE" | "WEBHOOK_SIGNATURE_INVALID" | "WEBHOOK_RAW_BODY_REQUIRED" | "WEBHOOK_PAYLOAD_INVALID" | "STORE_ERROR" | "WASM_UNAVAILABLE";

/**
 * The `activity` of a webhook delivery (SpotDraft's `OnlyForActivitiesEnum`).
 *
 * `CONTRACT_SIGNED` means one signer signed; `CONTRACT_EXECUTED` means all did.
 */
export type WebhookActivity = "CONTRACT_VERSION_UPLOADED" | "CONTRACT_APPROVAL_COMPLETED" | "CONTRACT_APPROVAL_REQUESTED" | "CONTRACT_CREATED" | "CONTRACT_DATA_UPDATED" | "CONTRACT_DELETED" | "CONTRACT_EXECUTED" | "CONTRACT_MARK_FOR_EXECUTION" | "CONTRACT_SENT_TO_COUNTERPARTY" | "CONTRACT_SIGNATURE_DECLINED" | "CONTRACT_SIGNATURE_REQUESTED" | "CONTRACT_SIGNED" | "CONTRACT_UNMARK_FOR_EXECUTION" | "POSTMARK_EMAIL_EVENT" | "CONTRACT_KEY_POINTER_UPDATION" | "CONTRACT_KEY_POINTER_CREATION" | "SIGNING_EMAIL_DELIVERED" | "SIGNING_EMAIL_OPENED" | "SIGNING_EMAIL_NOT_DELIVERED" | "SIGNING_EMAIL_LINK_CLICKED" | "REDLINING_EMAIL_DELIVERED" | "REDLINING_EMAIL_OPENED" | "REDLINING_EMAIL_NOT_DELIVERED" | "REDLINING_EMAIL_LINK_CLICKED" | "CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT" | "COUNTER_PARTY_CREATED" | "COUNTER_PARTY_UPDATED" | "COUNTER_PARTY_CONTACT_CREATED" | "COUNTER_PARTY_CONTACT_UPDATED" | "COUNTER_PARTY_ADDRESS_CREATED" | "COUNTER_PARTY_ADDRESS_UPDATED" | "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED" | "CONTRACT_VOIDED" | "CONTRACT_PROCESS_METRIC_UPDATED" | "CONTRACT_EXTERNAL_METADATA_CREATED" | "CONTRACT_EXTERNAL_METADATA_UPDATED" | "CONTRACT_ENTITY_UPDATED" | (string & {});

/**
 * The body of `POST /api/v2.1/public/contracts/`.
 */
export interface CreateContractPayload {
    /**
     * Template to create from (must be accessible to the workspace).
     */
    contract_template_id: number;
    /**
     * Display name; SpotDraft derives one when absent.
     */
    contract_name?: string;
    /**
     * Template field values, keyed by the template's variable names.
     */
    contract_data: Record<string, FieldValue>;
    /**
     * Counterparties.
     */
    counter_party_details: CounterPartyDetails[];
    /**
     * Link back to the source record.
     */
    external_metadata?: ExternalMetadata;
    /**
     * Creator organisation entity; SpotDraft uses the primary entity when absent.
     */
    entity_reference_id?: string;
    /**
     * Signatories.
     */
    signatories?: Signatory[];
    /**
     * Workflow switches.
     */
    workflow_config?: WorkflowConfig;
    /**
     * Email delivery settings for sending to the counterparty.
     */
    send_to_counterparty_config?: SendToCounterpartyConfig;
    /**
     * For embedded signing flows (SpotDraft's default: false).
     */
    is_embedded_contract?: boolean;
}

/**
 * The contract and how it came to be.
 */
export interface CreateResult {
    /**
     * The contract.
     */
    contract: ContractSummary;
    /**
     * Created now, or found.
     */
    outcome: CreateOutcome;
    /**
     * Create attempts sent (0 when found by `checkExistingFirst`).
     */
    attempts: number;
}

/**
 * The contracting entity.
 */
export interface Entity {
    /**
     * Entity reference id.
     */
    referenceId?: string;
    /**
     * Entity name.
     */
    name?: string;
    /**
     * Jurisdiction (a country name).
     */
    jurisdiction?: string;
    /**
     * Entity type.
     */
    type?: string;
}

/**
 * The durable reference to a contract's file: names a version, never holds a signed URL.
 */
export interface DocumentRef {
    /**
     * SpotDraft's `file_name`.
     */
    fileName: string;
    /**
     * SpotDraft's `current_version_id`, when it sent one.
     */
    versionId?: number;
    /**
     * When the link was minted and the file fetched (caller's clock).
     */
    fetchedAt: Timestamp;
    /**
     * Where the caller stored its own copy (a bucket key, a CRM file id…), if it did.
     */
    storedAt?: string;
}

/**
 * The file format asked for (`EditableDocumentDownloadFormat`).
 */
export type DownloadFormat = "PDF" | "DOCX" | "DOCX_WITH_FALLBACK_TO_PDF";

/**
 * The outcome of a validation: `valid` is true exactly when `issues` is empty.
 */
export interface ValidationReport {
    /**
     * True when no issue was found.
     */
    valid: boolean;
    /**
     * Every issue found, in payload order (capped at [`MAX_ISSUES`] plus one
     * `TOO_MANY_ISSUES`).
     */
    issues: ValidationIssue[];
}

/**
 * The plain-data part of the client options (functions such as `fetch` and `headers` are
 * handled by the facade).
 */
export interface ClientConfigInput {
    /**
     * SpotDraft region; exclusive with `base_url`.
     */
    region?: Region;
    /**
     * Origin (plus optional path prefix) of a proxy or the local sandbox.
     */
    baseUrl?: string;
    /**
     * SpotDraft API client id.
     */
    clientId?: string;
    /**
     * SpotDraft API client secret. Never logged, never in an error message.
     */
    clientSecret?: string;
    /**
     * Act as this active workspace member (`user-email` header).
     */
    userEmail?: string;
    /**
     * Allow a `client_secret` in a browser or worker.
     */
    dangerouslyAllowBrowserSecret?: boolean;
    /**
     * Per-call timeout in milliseconds (default 30 000).
     */
    timeoutMs?: number;
    /**
     * Retries of requests that are safe to repeat (default 2).
     */
    maxRetries?: number;
    /**
     * Client-side rate limit in requests per second (default 10, SpotDraft's limit).
     */
    maxRequestsPerSecond?: number;
    /**
     * After a create failed ambiguously, how long a "not found" from the lookup by
     * `external_metadata.id` must hold before the create is sent again, in milliseconds
     * (default 5 000, 0 to 600 000). Only ambiguous failures wait; a lookup that lags
     * behind the write by longer than this can still let a duplicate through, and 0 sends
     * the create again after one lookup.
     */
    createSettleMs?: number;
}

/**
 * The result of applying one event or poll.
 */
export interface ApplyOutcome {
    /**
     * The record after applying (a new value; the input is not modified).
     */
    record: SyncRecord;
    /**
     * Whether `record` differs from the input record.
     */
    changed: boolean;
    /**
     * What happened to the delivery.
     */
    disposition: Disposition;
    /**
     * Follow-up work, in a stable order.
     */
    actions: SyncAction[];
}

/**
 * The template list.
 */
export interface TemplateList {
    /**
     * The templates, in SpotDraft's order.
     */
    items: Template[];
}

/**
 * The template metadata document.
 */
export interface TemplateMetadata {
    /**
     * Field descriptors, children included.
     */
    attributes: TemplateAttribute[];
    /**
     * Which counterparties the template accepts; absent means not checked.
     */
    counter_party_kind?: CounterPartyKind;
}

/**
 * The upstream record's id: SpotDraft leaves it untyped; strings are recommended.
 */
export type ExternalId = string | number;

/**
 * The user who registered a webhook.
 */
export interface WebhookUser {
    /**
     * SpotDraft's user id, when sent.
     */
    id?: number;
    /**
     * Name.
     */
    name: string;
    /**
     * Email.
     */
    email: string;
    /**
     * Designation, when sent.
     */
    designation?: string;
}

/**
 * The webhook signing key. Store it as a secret; pass it to `verifyWebhook`.
 * `Debug` shows only its length.
 */
export interface WebhookHmacKey {
    /**
     * SpotDraft's `hmac_key`: standard base64 of the HMAC-SHA512 key.
     */
    hmacKey: string;
}

/**
 * The workflow kind of a contract (`contract_kind`).
 */
export type ContractKind = "TEMPLATE_CONTRACT" | "EDITED_TEMPLATE_CONTRACT" | "THIRD_PARTY_CONTRACT" | "SIGN_CONTRACT" | "EXECUTED_CONTRACT" | "EXPRESS_TEMPLATE_CONTRACT" | "CLICKWRAP_CONTRACT" | "HISTORICAL_CLICKWRAP_CONTRACT" | (string & {});

/**
 * Unit of a duration.
 */
export type DurationUnit = "DAYS" | "MONTHS" | "YEARS";

/**
 * What `engine.createContract` resolves to.
 */
export interface EngineCreateResult {
    /**
     * The contract as SpotDraft answered the create or the lookup; absent when the store
     * already held this external id's contract (nothing was sent).
     */
    contract?: ContractSummary;
    /**
     * `CREATED` by this call, or `FOUND_EXISTING` (in the store, or by a lookup of an
     * earlier attempt, possibly of a process that died).
     */
    outcome: CreateOutcome;
    /**
     * Create requests this call sent.
     */
    attempts: number;
    /**
     * The contract's record, tracked.
     */
    record: SyncRecord;
}

/**
 * What `engine.resolveOpenIntents` resolves to.
 */
export interface ResolveIntentsResult {
    /**
     * Open intents found in the store.
     */
    open: number;
    /**
     * Their contract exists: now tracked, the intent closed.
     */
    found: number;
    /**
     * Not found up to the deadline: marked `NOT_CREATED`; the next `createContract` for
     * the external id creates without waiting.
     */
    notCreated: number;
    /**
     * A lookup or the store failed: the intent stays open (see `errors`).
     */
    failed: number;
    /**
     * The first failures, at most 20.
     */
    errors: SyncFailure[];
}

/**
 * What `handleWebhook` resolves to.
 */
export interface HandleWebhookResult {
    /**
     * The record after the event (and the actions, when they ran).
     */
    record: SyncRecord;
    /**
     * How the event was taken: `APPLIED`, `OUT_OF_ORDER`, `DUPLICATE`, `TOO_OLD`.
     */
    disposition: Disposition;
    /**
     * Whether the event changed the record.
     */
    changed: boolean;
    /**
     * The follow-up actions the event called for.
     */
    actions: SyncAction[];
    /**
     * What became of each action (empty when `runActions` is false).
     */
    actionResults: SyncActionResult[];
}

/**
 * What `reconcile` resolves to.
 */
export interface ReconcileResult {
    /**
     * Records this call set out to poll.
     */
    planned: number;
    /**
     * Status requests answered (found or 404).
     */
    polled: number;
    /**
     * Records whose status changed (drift repaired).
     */
    changed: number;
    /**
     * Records whose contract answered 404 (now flagged `NOT_FOUND`).
     */
    notFound: number;
    /**
     * Records whose request failed otherwise (they stay stale and are polled next pass).
     */
    failed: number;
    /**
     * Skipped: executed, voided or deleted.
     */
    skippedSettled: number;
    /**
     * Skipped: news within `staleAfterMs`.
     */
    skippedFresh: number;
    /**
     * Skipped: already flagged `NOT_FOUND`.
     */
    skippedNotFound: number;
    /**
     * Stored values that are not sync records (left untouched).
     */
    invalidRecords: number;
    /**
     * Pass this as `cursor` to continue; absent when the pass reached the end.
     */
    nextCursor?: ReconcileCursor;
    /**
     * Whether the `signal` stopped the call early (`nextCursor` then resumes after the
     * records already polled).
     */
    aborted: boolean;
    /**
     * The first failures, at most 20.
     */
    errors: SyncFailure[];
}

/**
 * What `registerWebhook` subscribes.
 */
export interface RegisterWebhookInput {
    /**
     * A title for people (`title`).
     */
    title: string;
    /**
     * The HTTPS URL SpotDraft will POST events to (`url`).
     */
    url: string;
    /**
     * The activities to deliver, at least one (`only_for_activities`).
     */
    activities: WebhookActivity[];
    /**
     * Headers sent with every delivery, e.g. `{ "X-Hook-Token": "…" }` (`custom_headers`).
     * Names must start with `X-` and must not start with a reserved prefix (`X-SD-`,
     * `X-SpotDraft-`, `X-Goog-`, `X-Amz-` …).
     */
    customHeaders?: Record<string, string>;
    /**
     * A description for people (`description`).
     */
    description?: string;
}

/**
 * What `runPendingActions` resolves to.
 */
export interface PendingActionsResult {
    /**
     * The record afterwards.
     */
    record: SyncRecord;
    /**
     * The actions the record's flags called for.
     */
    actions: SyncAction[];
    /**
     * What became of each.
     */
    actionResults: SyncActionResult[];
}

/**
 * What `verifyWebhook` returns: the parsed event and which key and header matched.
 */
export interface VerifiedWebhookEvent {
    /**
     * The verified, parsed event.
     */
    event: WebhookEvent;
    /**
     * Index of the matching key in `keys` (0 when a single key was given).
     */
    keyIndex: number;
    /**
     * The header that carried the signature.
     */
    header: string;
}

/**
 * What a create did.
 */
export type CreateOutcome = "CREATED" | "FOUND_EXISTING";

/**
 * What a successful delete returns (SpotDraft's 204 has no body).
 */
export interface WebhookDeleted {
    /**
     * The id of the deleted webhook.
     */
    id: number;
}

/**
 * What a successful send returns (SpotDraft's 200 has no documented body).
 */
export interface SendToCounterpartiesResult {
    /**
     * The contract that was sent.
     */
    id: string;
    /**
     * The formats that were attached.
     */
    attachmentFormats: AttachmentFormat[];
}

/**
 * What happened to a delivery.
 */
export type Disposition = "APPLIED" | "OUT_OF_ORDER" | "DUPLICATE" | "TOO_OLD" | "OBSERVED";

/**
 * When a status was first and last reported.
 */
export interface StatusSpan {
    /**
     * The status.
     */
    status: ContractStatus;
    /**
     * Earliest report time.
     */
    first: Timestamp;
    /**
     * Latest report time.
     */
    last: Timestamp;
}

/**
 * Where a create intent stands.
 */
export type IntentState = "OPEN" | "NOT_CREATED";

/**
 * Where a reconciliation pass stopped: the next plan starts after this contract id.
 */
export interface ReconcileCursor {
    /**
     * The last contract id the previous plan covered.
     */
    afterContractId: number;
}

/**
 * Where a value comes from. Exactly one of `source`, `const`, `concat`, `currency`,
 * `duration`.
 */
export interface ValueSpec {
    /**
     * Path in the record.
     */
    source?: string;
    /**
     * A constant.
     */
    const?: unknown;
    /**
     * Parts joined into text (missing parts are left out).
     */
    concat?: ConcatPart[];
    /**
     * Joins `concat` parts (default `""`).
     */
    separator?: string;
    /**
     * A currency object.
     */
    currency?: CurrencySpec;
    /**
     * A duration object.
     */
    duration?: DurationSpec;
    /**
     * Steps applied to the value in order.
     */
    transform?: Transform[];
    /**
     * Used when the value is missing, `null` or `""`.
     */
    default?: unknown;
    /**
     * Skip the target when the value is missing (instead of reporting it).
     */
    optional?: boolean;
}

/**
 * Which counterparties a template accepts (`counter_party_kind`).
 */
export type CounterPartyKind = "Individual" | "Organisation" | "Both";

/**
 * Which key and header verified a delivery (`verifyWebhookSignature`).
 */
export interface WebhookSignatureMatch {
    /**
     * Index of the matching key in `keys` (0 when a single key was given).
     */
    keyIndex: number;
    /**
     * The header that carried the signature.
     */
    header: string;
}

/**
 * `activityData` (SpotDraft's `activity_data`): who acted, when, and activity-specific extras.
 */
export interface ActivityData {
    /**
     * When the action was taken (RFC 3339, kept as sent).
     */
    timestamp: EventTime;
    /**
     * Who acted (`name` is `"SYSTEM"` for system actions).
     */
    performedBy?: Person;
    /**
     * Recipients, on `CONTRACT_SENT_TO_COUNTERPARTY`.
     */
    counterpartyEmailRecipients?: EmailRecipients;
    /**
     * The email event, on `*_EMAIL_*` activities.
     */
    emailEventData?: EmailEventData;
    /**
     * The notified signer, on `CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT`.
     */
    signatory?: Person;
}

/**
 * `address`: `OrganizationAddressSerializerV2_1` (`line_one`, `city`, `country_iso_code`
 * required).
 */
export interface OrganizationAddress {
    /**
     * Street and number.
     */
    line_one: string;
    /**
     * Second line.
     */
    line_two?: string;
    /**
     * City.
     */
    city: string;
    /**
     * State or region.
     */
    state?: string;
    /**
     * Country name.
     */
    country?: string;
    /**
     * Postal code.
     */
    zipcode?: string;
    /**
     * Contact email of the address.
     */
    email?: string;
    /**
     * Phone.
     */
    phone?: string;
    /**
     * GST number (India).
     */
    gst_number?: string;
    /**
     * Tax id.
     */
    tax_id?: string;
    /**
     * ISO 3166-1 alpha-2 country code.
     */
    country_iso_code: string;
}

/**
 * `counterparty_email_recipients`.
 */
export interface EmailRecipients {
    /**
     * To: addresses.
     */
    toRecipients?: string[];
    /**
     * Cc: addresses.
     */
    ccRecipients?: string[];
}

/**
 * `email_event_data` (SpotDraft spells `occured_at` with one r).
 */
export interface EmailEventData {
    /**
     * The recipient.
     */
    recipientEmail?: string;
    /**
     * `to` or `cc`.
     */
    emailMode?: string;
    /**
     * When the email event happened, as sent.
     */
    occuredAt?: string;
}

/**
 * `external_metadata`: the link from the contract back to the source record.
 */
export interface ExternalMetadata {
    /**
     * The source record's id; `GET /contracts/by_external_metadata/{id}` finds it.
     */
    id: ExternalId;
    /**
     * Source system, e.g. `"HubSpot"`.
     */
    integration_name?: string;
    /**
     * Source record type, e.g. `"Deal"`.
     */
    record_type?: string;
    /**
     * Free-form data kept with the contract.
     */
    record_data?: Record<string, unknown>;
    /**
     * UUID of a native-integration object configuration (needs `record_type`).
     */
    object_configuration_id?: string;
}

/**
 * `external_metadata`: the source system's reference to its own record.
 */
export interface EventExternalMetadata {
    /**
     * The source record's id, always as a string (SpotDraft leaves its type open, so an
     * integer `10024` becomes `"10024"`). `None` when absent, null or empty.
     */
    id?: string;
    /**
     * E.g. `"HubSpot"`.
     */
    integrationName?: string;
    /**
     * E.g. `"Deal"`.
     */
    recordType?: string;
    /**
     * Free-form data the source system attached.
     */
    recordData?: unknown;
    /**
     * SpotDraft's object configuration id, when set.
     */
    objectConfigurationId?: string;
}

/**
 * `organization_details`: `OrganizationDetailsSerializerV2_1`.
 */
export interface OrganizationDetails {
    /**
     * Jurisdiction name (optional, free text).
     */
    jurisdiction?: string;
    /**
     * ISO 3166-1 alpha-2 code of the jurisdiction.
     */
    jurisdiction_iso_code?: string;
    /**
     * Registered address.
     */
    address?: OrganizationAddress;
}

/**
 * `poc_details`: `ExternalPOCDetails`.
 */
export interface PocDetails {
    /**
     * First name.
     */
    first_name: string;
    /**
     * Last name (SpotDraft defaults it to `""`).
     */
    last_name?: string;
    /**
     * Email address.
     */
    email: string;
}

/**
 * `send_to_counterparty_config` (same shape as the send-to-counterparties body).
 */
export interface SendToCounterpartyConfig {
    /**
     * At least one format.
     */
    attachment_formats: AttachmentFormat[];
    /**
     * Primary recipients (default: the counterparty's configured recipients).
     */
    to_emails?: string[];
    /**
     * Copied recipients.
     */
    cc_emails?: string[];
    /**
     * Blind-copied recipients.
     */
    bcc_emails?: string[];
    /**
     * Extra attachments.
     */
    extra_attachments?: EmailAttachment[];
    /**
     * Message in the email body.
     */
    custom_message?: string;
    /**
     * Email subject.
     */
    subject?: string;
}

/**
 * `workflow_config`: all default to false at SpotDraft.
 */
export interface WorkflowConfig {
    /**
     * Send to the counterparty right after creation.
     */
    auto_send_to_counterparty?: boolean;
    /**
     * Only allow edits through the API.
     */
    api_only_contract_edits?: boolean;
    /**
     * Skip collecting counterparty information.
     */
    skip_cp_info_collection?: boolean;
    /**
     * Skip collecting creator information.
     */
    skip_creator_info_collection?: boolean;
}

/**
 * `{code, value}` specs of a currency value.
 */
export interface CurrencySpec {
    /**
     * ISO 4217 code (upper-cased).
     */
    code: ValueSpec;
    /**
     * Amount (numbers in text are parsed).
     */
    value: ValueSpec;
}

/**
 * `{file_name, content_type}`: a file reference (shape beyond these is UNKNOWN).
 */
export interface FileRef {
    /**
     * File name.
     */
    file_name: string;
    /**
     * MIME type.
     */
    content_type?: string;
}

/**
 * `{number, country_code, code}` (from SpotDraft's older key-pointer table).
 */
export interface Phone {
    /**
     * Subscriber number, e.g. `"9999912345"`.
     */
    number: string;
    /**
     * ISO country, e.g. `"IN"`.
     */
    country_code?: string;
    /**
     * Dialling code, e.g. `"+91"`.
     */
    code?: string;
}

/**
 * `{type: DAYS|MONTHS|YEARS, value: int, days: int}`.
 */
export interface DurationValue {
    /**
     * Unit of `value`.
     */
    type: DurationUnit;
    /**
     * Number of units.
     */
    value: number;
    /**
     * Length in days.
     */
    days: number;
}

/**
 * `{type: ISO 4217 code, value: number}`.
 */
export interface Currency {
    /**
     * ISO 4217 code, e.g. `"USD"`.
     */
    type: string;
    /**
     * Amount.
     */
    value: number;
}

/**
 * `{unit, value, days?}` specs of a duration value.
 */
export interface DurationSpec {
    /**
     * `DAYS`, `MONTHS` or `YEARS` (case and plural `S` are forgiven).
     */
    unit: ValueSpec;
    /**
     * Whole number of units.
     */
    value: ValueSpec;
    /**
     * Length in days; computed from unit and value when absent (12 months → 365).
     */
    days?: ValueSpec;
}


/**
 * Template metadata parsed and folded once, for validating many payloads quickly.
 *
 * ```js
 * const template = new CompiledTemplate(await client.getTemplateMetadata(1204));
 * const report = template.validate(payload);
 * ```
 */
export class CompiledTemplate {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Compiles `GET /templates/{id}/metadata`'s document. Throws a `SpotDraftError`
     * (`INVALID_ARGUMENT`, with the path in the document) when it is not one.
     */
    constructor(metadata: TemplateMetadata);
    /**
     * Validates a create-contract body given as JSON text against this template.
     */
    validateJson(json: string): ValidationReport;
    /**
     * Validates a create-contract body against this template (see
     * `validateCreateContract`).
     */
    validate(payload: unknown): ValidationReport;
}

/**
 * A `SyncStore` in the browser's IndexedDB: records survive reloads. Works in pages and
 * web workers (e.g. a HubSpot UI extension's worker), wherever `indexedDB` is global.
 *
 * ```js
 * const store = new IndexedDbStore("crm-sync");
 * const engine = new SyncEngine({ client, store, webhookKeys: [] });
 * ```
 */
export class IndexedDbStore {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Closes the database connection (the next call opens it again).
     */
    close(): void;
    /**
     * The record under `key`, or `null`.
     */
    get(key: string): Promise<SyncRecord | null>;
    /**
     * Every stored record (a record stored under two keys appears twice).
     */
    list(): Promise<SyncRecord[]>;
    /**
     * A store in database `dbName` (default `"spotdraft-sync"`), opened on first use.
     * Throws `STORE_ERROR` when this runtime has no IndexedDB (Node: use `MemoryStore` or
     * your own store), `INVALID_ARGUMENT` for an empty or non-string name.
     */
    constructor(dbName?: string);
    /**
     * Stores `record` under `key`; resolves once the transaction has committed.
     */
    put(key: string, record: SyncRecord): Promise<void>;
    /**
     * The database name.
     */
    readonly dbName: string;
}

/**
 * A `SyncStore` in memory: records live as long as the object. For tests, scripts and
 * single-process servers that rebuild their state from SpotDraft on start.
 *
 * Records are kept as JSON text, so changing a returned object never changes the store.
 *
 * ```js
 * const engine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: key });
 * ```
 */
export class MemoryStore {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The record under `key`, or `null`.
     */
    get(key: string): Promise<SyncRecord | null>;
    /**
     * Every stored record, in key order (a record stored under two keys appears twice).
     */
    list(): Promise<SyncRecord[]>;
    /**
     * An empty store.
     */
    constructor();
    /**
     * Stores `record` (any JSON data) under `key`.
     */
    put(key: string, record: SyncRecord): Promise<void>;
    /**
     * How many keys are stored.
     */
    readonly size: number;
}

/**
 * A SpotDraft API client.
 *
 * ```js
 * const client = new SpotDraftClient({ baseUrl: "https://sd-proxy.example.com" });
 * const { contractStatus } = await client.getContractStatus("T-1234");
 * ```
 */
export class SpotDraftClient {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Creates a contract from a v2.1 create body (`POST /api/v2.1/public/contracts/`),
     * exactly once: never blindly retried; after an ambiguous failure the contract is looked
     * up by `external_metadata.id` and returned if it exists (`outcome: "FOUND_EXISTING"`),
     * otherwise created again. The body is validated first (and against `templateMetadata`
     * when given); a body without `external_metadata.id` is refused before the network.
     */
    createContract(payload: CreateContractPayload, options?: CreateContractOptions & CallOptions): Promise<CreateResult>;
    /**
     * Deletes a webhook (`DELETE /api/v2.1/public/webhooks/{id}`). Never retried: a repeat
     * after a delete that went through answers `NOT_FOUND`.
     */
    deleteWebhook(id: number | string, options?: CallOptions): Promise<WebhookDeleted>;
    /**
     * The contracts (at most 50) whose `external_metadata.id` is `externalId`
     * (`GET /api/v2.1/public/contracts/by_external_metadata/{id}`).
     */
    findContractsByExternalId(externalId: string, options?: CallOptions): Promise<ContractSummary[]>;
    /**
     * Reads a contract's status (`GET /api/v2.1/public/contracts/{id}/status`).
     *
     * For repair and reconciliation; let webhooks drive the sync.
     */
    getContractStatus(id: string, options?: CallOptions): Promise<ContractStatusResult>;
    /**
     * Asks for a temporary, signed link to the contract's file
     * (`POST /api/v2.1/public/contracts/{id}/download_link`). Fetch `url` right away and do
     * not log or store it: it is a credential until it expires, and SpotDraft documents no
     * lifetime. `fetchedAt` is when the link was requested (this machine's clock).
     *
     * ```js
     * const { url, fileName } = await client.getDownloadLink("T-1234", { format: "PDF" });
     * const pdf = new Uint8Array(await (await fetch(url)).arrayBuffer());
     * ```
     */
    getDownloadLink(id: string, options?: DownloadLinkOptions & CallOptions): Promise<DownloadLink>;
    /**
     * Reads a contract's metadata values
     * (`GET /api/v2.1/public/contracts/{id}/key_pointers`), typed and indexed by field name.
     *
     * ```js
     * const { byFieldName } = await client.getKeyPointers("T-1234");
     * const fee = byFieldName.billing_amount?.value; // { kind: "CURRENCY", currency: "USD", amount: 12000 }
     * ```
     */
    getKeyPointers(id: string, options?: CallOptions): Promise<KeyPointers>;
    /**
     * Reads the fields a template's `contract_data` must fill
     * (`GET /api/v2.1/public/templates/{templateId}/metadata`). Pass the result to
     * `validateCreateContract` or `new CompiledTemplate(...)`. Rejects with
     * `TEMPLATE_INACCESSIBLE` when the template is not in this workspace.
     */
    getTemplateMetadata(templateId: number | string, options?: CallOptions): Promise<TemplateMetadata>;
    /**
     * Reads one template's details (`GET /api/v2.1/public/templates/{templateId}/`).
     * Rejects with `TEMPLATE_INACCESSIBLE` when the template is not in this workspace.
     */
    getTemplate(templateId: number | string, options?: CallOptions): Promise<Template>;
    /**
     * Reads the workspace's webhook signing key (`GET /api/v2.1/public/webhooks/hmac_key/`).
     * It is a secret: store it like one and pass it to `verifyWebhook`.
     */
    getWebhookHmacKey(options?: CallOptions): Promise<WebhookHmacKey>;
    /**
     * Lists the workspace's published templates (`GET /api/v2.1/public/templates/`).
     */
    listTemplates(options?: CallOptions): Promise<TemplateList>;
    /**
     * Creates a client. Throws a `SpotDraftError` (`INVALID_ARGUMENT`,
     * `BROWSER_SECRET_REFUSED`) when the options are wrong; no request is sent. With
     * `fetch: hubspotFetch(hubspot.fetch)`, credentials, `userEmail`, `region` and a
     * non-https `baseUrl` are `INVALID_ARGUMENT`.
     */
    constructor(options: SpotDraftClientOptions);
    /**
     * Subscribes a URL to contract activities (`POST /api/v2.1/public/webhooks/`). Keep the
     * returned `id`: SpotDraft has no endpoint to list webhooks. Never retried: a repeat
     * would register a second webhook.
     *
     * ```js
     * const hook = await client.registerWebhook({
     *   title: "CRM sync", url: "https://crm.example.com/spotdraft/webhook",
     *   activities: ["CONTRACT_SENT_TO_COUNTERPARTY", "CONTRACT_EXECUTED"],
     *   customHeaders: { "X-Hook-Token": process.env.HOOK_TOKEN },
     * });
     * ```
     */
    registerWebhook(webhook: RegisterWebhookInput, options?: CallOptions): Promise<Webhook>;
    /**
     * Emails a contract to its counterparties
     * (`POST /api/v2.1/public/contracts/{id}/send_to_counterparties`); it moves to REDLINING.
     *
     * Every option is optional; by default SpotDraft attaches a PDF and writes to the
     * counterparty recipients configured on the contract. Bad options reject with
     * `INVALID_ARGUMENT` before anything is sent. Never retried: a repeat would email twice.
     *
     * ```js
     * await client.sendToCounterparties("T-1234", { toEmails: ["legal@acme.example"], subject: "Acme MSA" });
     * ```
     */
    sendToCounterparties(id: string, options?: SendToCounterpartiesOptions & CallOptions): Promise<SendToCounterpartiesResult>;
}

/**
 * Syncs SpotDraft contracts back into your system: verified webhooks update a record per
 * contract, follow-up calls fetch key pointers and note the executed file, `reconcile`
 * repairs drift within a request budget, and `fetchDocument` pulls the file on demand.
 *
 * ```js
 * const engine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: process.env.SPOTDRAFT_HMAC_KEY });
 * app.post("/spotdraft", express.raw({ type: "application/json" }), async (req, res) => {
 *   try {
 *     const { record } = await engine.handleWebhook(req.body, req.headers);
 *     res.sendStatus(204);
 *   } catch (e) {
 *     res.sendStatus(e.code === "WEBHOOK_SIGNATURE_INVALID" ? 401 : e.code === "STORE_ERROR" ? 503 : 400);
 *   }
 * });
 * ```
 */
export class SyncEngine {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Creates a contract exactly once per `external_metadata.id`, also across a restart:
     * like `client.createContract` (same payload and options), but before each create
     * request the engine stores a create intent under `external:<id>`, and a later call (or
     * `resolveOpenIntents`) in a new process looks the contract up, through the settle rule,
     * before it creates again. Resolves with `{ contract, outcome, attempts, record }`, the
     * contract tracked; when the store already holds this external id's contract, nothing
     * is sent (`outcome: "FOUND_EXISTING"`, no `contract`).
     *
     * Does not coordinate several processes creating for one external id at the same time,
     * and cannot prove absence: a lookup lagging behind the write by longer than two
     * timeouts plus `createSettleMs` after the last attempt ends in a second contract.
     *
     * ```js
     * await engine.resolveOpenIntents(); // on start: creates a killed process left unresolved
     * const { record } = await engine.createContract(payload);
     * ```
     */
    createContract(payload: CreateContractPayload, options?: CreateContractOptions & CallOptions): Promise<EngineCreateResult>;
    /**
     * Mints a fresh download link, fetches the file's bytes (through the client's `fetch`
     * when it was given one, else the global `fetch`; no SpotDraft credentials are sent to
     * the file host) and notes `{ fileName, versionId, fetchedAt }` on the record. The link
     * itself is neither returned, stored nor logged. Store the bytes, then call
     * `recordStored`.
     */
    fetchDocument(key: RecordRef, options?: FetchDocumentOptions & CallOptions): Promise<FetchedDocument>;
    /**
     * The stored record, or `null`.
     */
    getRecord(key: RecordRef): Promise<SyncRecord | null>;
    /**
     * Verifies, parses and applies one webhook delivery, stores the record, then (unless
     * `runActions: false`) runs the follow-up calls and stores their results.
     *
     * Rejects with `WEBHOOK_SIGNATURE_INVALID` (answer 401) before touching the store;
     * `WEBHOOK_RAW_BODY_REQUIRED` / `WEBHOOK_PAYLOAD_INVALID` (answer 400); `STORE_ERROR`
     * (answer 5xx so SpotDraft retries). A failed follow-up call does not reject: it is in
     * `actionResults`, and the record's flag keeps it pending.
     */
    handleWebhook(rawBody: Uint8Array | ArrayBuffer | string, headers: Headers | Record<string, string | string[] | undefined>, options?: HandleWebhookOptions & CallOptions): Promise<HandleWebhookResult>;
    /**
     * Polls `GET …/status` for records that may have drifted — not executed, voided or
     * deleted, no news for `staleAfterMs` (or a status nobody could read) — by ascending
     * contract id, at most `budget` requests, `concurrency` at a time within the client's
     * rate limit. Applies each answer (a 404 flags `NOT_FOUND`), stores it and reports
     * progress. Resolves (also when `signal` aborts it) with counts and `nextCursor`.
     *
     * ```js
     * let cursor = null;
     * do {
     *   const r = await engine.reconcile({ budget: 500, cursor, staleAfterMs: 6 * 3600_000 });
     *   cursor = r.nextCursor ?? null;
     * } while (cursor);
     * ```
     */
    reconcile(options?: ReconcileOptions & CallOptions): Promise<ReconcileResult>;
    /**
     * Records where you stored the contract's file (a bucket key, your system's file id).
     * Rejects with `INVALID_ARGUMENT` when `storedAt` looks like a signed URL, or when the
     * document was never fetched; `NOT_FOUND` when there is no record.
     */
    recordStored(key: RecordRef, storedAt: string): Promise<SyncRecord>;
    /**
     * Resolves every open create intent in the store (left by a process that died between
     * sending a create and learning its outcome) by lookup: found → tracked, intent
     * closed; not found up to two timeouts plus `createSettleMs` after its last attempt →
     * marked `NOT_CREATED`. Sends no create. Resolves with counts; a failed lookup is
     * counted in `failed` and leaves its intent open.
     */
    resolveOpenIntents(options?: CallOptions): Promise<ResolveIntentsResult>;
    /**
     * Runs the actions a record's flags call for (`KEY_POINTERS_STALE`, `DOCUMENT_MISSING`,
     * `STATUS_UNKNOWN`, `COMPOSITE_ID_UNKNOWN`): after `handleWebhook(…, { runActions:
     * false })`, or to retry failed ones. Rejects with `NOT_FOUND` when there is no record.
     */
    runPendingActions(key: RecordRef, options?: CallOptions): Promise<PendingActionsResult>;
    /**
     * Starts tracking a contract you created (`trackedSince` = now), so `reconcile` can
     * repair it even if no webhook ever arrives. Keeps an existing record, only filling in
     * a missing composite or external id.
     *
     * ```js
     * const { contract } = await client.createContract(payload);
     * await engine.track({ contractId: contract.contractId, compositeId: contract.id, externalId: "hubspot-deal-10024" });
     * ```
     */
    track(input: TrackInput): Promise<SyncRecord>;
}

declare function __wbg_reset_state(): void;

/**
 * Applies an event to a sync record (or to a new record when `record` is `null`) and
 * returns `{ record, changed, disposition, actions }`. Pure: store `record`, then run
 * `actions`. Duplicates, out-of-order events and status regressions are handled as
 * documented on `SyncRecord`; `EXECUTED` and `VOIDED` are terminal.
 *
 * Throws `INVALID_ARGUMENT` when `record` or `event` is malformed, or when the record
 * belongs to another contract than the event (look it up by `event.contractId` instead).
 */
export function applyEvent(record: SyncRecord | null | undefined, event: WebhookEvent): ApplyOutcome;

/**
 * Builds a create-contract body from a source record (a HubSpot deal, a Salesforce
 * Opportunity …) with a declarative mapping (plain JSON, see `Mapping`).
 *
 * Throws a `SpotDraftError`: `INVALID_ARGUMENT` when `mapping` is malformed (with the
 * path, e.g. `mapping.fields[3].transform[0]`); `VALIDATION_FAILED` when the record does
 * not map, with every problem in `details` (`path` in the payload, `sourcePath` in the
 * record). The result is not validated: pass it to `validateCreateContract`.
 *
 * ```js
 * const payload = buildCreateContract(deal, mapping);
 * ```
 */
export function buildCreateContract(record: unknown, mapping: Mapping): CreateContractPayload;

/**
 * The `fetch` option of `SpotDraftClient` for a HubSpot UI-extension card, over HubSpot's
 * `hubspot.fetch` (the card's global `fetch` throws).
 *
 * ```js
 * import { hubspot } from "@hubspot/ui-extensions";
 * import { SpotDraftClient, hubspotFetch } from "spotdraft-sync/inline";
 * const client = new SpotDraftClient({
 *   baseUrl: "https://sd-proxy.example.com", // your proxy, listed in permittedUrls.fetch
 *   fetch: hubspotFetch(hubspot.fetch),
 * });
 * ```
 *
 * The client then follows HubSpot's contract. The JSON body is sent as an object; a body
 * that is not a JSON object or is over 1 MB is refused before sending (`INVALID_ARGUMENT`).
 * No SpotDraft credentials are ever sent from a card: `clientId`/`clientSecret`,
 * `userEmail` and `region` are refused when the client is created, and your proxy adds
 * them. Only an `authorization` header from a `headers()` provider is passed on; any
 * other header is refused (`INVALID_ARGUMENT`, HubSpot would answer 400). Each call's
 * `timeoutMs` is HubSpot's `timeout` (capped at 120000). HubSpot's wrapped upstream errors
 * are unwrapped, so the usual codes come out (`RATE_LIMITED`, `SERVER_ERROR`, …); HubSpot's
 * own timeout is `TIMEOUT`, its own refusal names HubSpot's message. HubSpot forwards no
 * response header, so there is no `Retry-After`: retries back off on their own.
 *
 * Cancellation is not supported by HubSpot (`hubspot.fetch` takes no signal): an
 * `AbortSignal` still settles the call at once (`ABORTED`), but the request itself runs on
 * at HubSpot, and an aborted create may still be made. HubSpot also retries a request once
 * after a 5xx or a failed connection, so a create can reach your proxy twice: deduplicate
 * creates by `external_metadata.id` there.
 *
 * The returned function works only as that `fetch` option, passed as it is: called
 * directly, or wrapped in another function, it rejects with `INVALID_ARGUMENT`.
 *
 * Throws a `SpotDraftError` (`INVALID_ARGUMENT`) when `hubspotFetch` is not a function.
 */
export function hubspotFetch(hubspotFetch: HubSpotFetch): FetchLike;

/**
 * Parses a raw webhook body into a typed event, without verifying it (call `verifyWebhook`
 * for deliveries; this is for bodies verified elsewhere or stored). Throws a
 * `SpotDraftError` (`WEBHOOK_PAYLOAD_INVALID`, `WEBHOOK_RAW_BODY_REQUIRED`).
 */
export function parseWebhookEvent(rawBody: Uint8Array | ArrayBuffer | string, options?: WebhookOptions): WebhookEvent;

/**
 * The signature SpotDraft would send for `body` under `key` (lowercase hex HMAC-SHA512),
 * for testing your own receiver: send it as `X-SD-WEBHOOK-CONTENT-HASH`.
 *
 * ```js
 * const body = JSON.stringify(sampleEvent);
 * const signature = signWebhookForTest(body, key);
 * await fetch(url, { method: "POST", body, headers: { "X-SD-WEBHOOK-CONTENT-HASH": signature } });
 * ```
 */
export function signWebhookForTest(body: Uint8Array | ArrayBuffer | string, key: string): string;

/**
 * Validates a create-contract body (`POST /api/v2.1/public/contracts/`), optionally
 * against the template metadata from `GET /templates/{id}/metadata`.
 *
 * Returns a report of every problem, each with a JSON path, a stable code and a message
 * saying what to do; never throws for a bad payload. Throws a `SpotDraftError`
 * (`INVALID_ARGUMENT`) only when `templateMetadata` is not a metadata document.
 *
 * ```js
 * const report = validateCreateContract(payload, metadata);
 * if (!report.valid) for (const i of report.issues) console.log(i.path, i.code, i.message);
 * ```
 *
 * To validate many payloads against one template, build a `CompiledTemplate` once.
 */
export function validateCreateContract(payload: unknown, templateMetadata?: TemplateMetadata): ValidationReport;

/**
 * As `validateCreateContract`, for a payload that is already JSON text (skips
 * `JSON.stringify`; the fastest path for a body read from a request or a store).
 */
export function validateCreateContractJson(json: string, templateMetadata?: TemplateMetadata): ValidationReport;

/**
 * Verifies a SpotDraft webhook delivery and returns its parsed event.
 *
 * Checks the HMAC-SHA512 signature in `X-SD-WEBHOOK-CONTENT-HASH` (or the legacy
 * `X-SD-CONTENT-HASH`) over the raw body in constant time, with each key in turn (pass the
 * new and the old `hmac_key` during a rotation), then parses the body. Throws a
 * `SpotDraftError`: `WEBHOOK_RAW_BODY_REQUIRED` when the body is not raw bytes or the raw
 * string, `WEBHOOK_SIGNATURE_INVALID` (respond 401), `WEBHOOK_PAYLOAD_INVALID` (respond
 * 400 or 413), `INVALID_ARGUMENT` for bad keys or options (respond 500: a configuration error).
 *
 * ```js
 * app.post("/spotdraft", express.raw({ type: "application/json" }), (req, res) => {
 *   const { event } = verifyWebhook(req.body, req.headers, process.env.SPOTDRAFT_HMAC_KEY);
 *   queue.push(event);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook(rawBody: Uint8Array | ArrayBuffer | string, headers: Headers | Record<string, string | string[] | undefined>, keys: string | string[], options?: WebhookOptions): VerifiedWebhookEvent;

/**
 * `verifyWebhook` with the HMAC computed by the platform's WebCrypto: the same checks,
 * result and errors, as a promise. In Node the HMAC runs off the main thread, so a server
 * verifying many deliveries at once is not blocked by them; where `crypto.subtle` is missing
 * the synchronous path answers (Node's crypto, else the Rust HMAC). The arguments are read
 * when it is called.
 */
export function verifyWebhookAsync(rawBody: Uint8Array | ArrayBuffer | string, headers: Headers | Record<string, string | string[] | undefined>, keys: string | string[], options?: WebhookOptions): Promise<VerifiedWebhookEvent>;

/**
 * Verifies a SpotDraft webhook delivery's signature only, without parsing the body.
 *
 * The same checks as `verifyWebhook` (raw body only, HMAC-SHA512 over its exact bytes,
 * `X-SD-WEBHOOK-CONTENT-HASH` or the legacy `X-SD-CONTENT-HASH`, constant-time comparison,
 * several keys for rotation, `maxBodyBytes`) and the same errors, but returns only which key
 * and header matched: for receivers that queue the raw body and parse it later
 * (`parseWebhookEvent`), or forward it. Does not look inside the body at all, so a verified
 * body may still be malformed JSON.
 */
export function verifyWebhookSignature(rawBody: Uint8Array | ArrayBuffer | string, headers: Headers | Record<string, string | string[] | undefined>, keys: string | string[], options?: WebhookOptions): WebhookSignatureMatch;

/**
 * `verifyWebhookSignature` with the HMAC computed by the platform's WebCrypto (see
 * `verifyWebhookAsync`): resolves to which key and header matched, without parsing the body.
 */
export function verifyWebhookSignatureAsync(rawBody: Uint8Array | ArrayBuffer | string, headers: Headers | Record<string, string | string[] | undefined>, keys: string | string[], options?: WebhookOptions): Promise<WebhookSignatureMatch>;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_compiledtemplate_free: (a: number, b: number) => void;
    readonly __wbg_indexeddbstore_free: (a: number, b: number) => void;
    readonly __wbg_memorystore_free: (a: number, b: number) => void;
    readonly __wbg_spotdraftclient_free: (a: number, b: number) => void;
    readonly __wbg_syncengine_free: (a: number, b: number) => void;
    readonly applyEvent: (a: number, b: number) => [number, number, number];
    readonly buildCreateContract: (a: number, b: number) => [number, number, number];
    readonly compiledtemplate_new: (a: number) => [number, number, number];
    readonly compiledtemplate_validate: (a: number, b: number) => [number, number, number];
    readonly compiledtemplate_validateJson: (a: number, b: number) => [number, number, number];
    readonly hubspotFetch: (a: number) => [number, number, number];
    readonly indexeddbstore_close: (a: number) => void;
    readonly indexeddbstore_dbName: (a: number) => [number, number];
    readonly indexeddbstore_get: (a: number, b: number) => number;
    readonly indexeddbstore_list: (a: number) => number;
    readonly indexeddbstore_new: (a: number) => [number, number, number];
    readonly indexeddbstore_put: (a: number, b: number, c: number) => number;
    readonly isSpotDraftError: (a: number) => number;
    readonly memorystore_get: (a: number, b: number) => number;
    readonly memorystore_list: (a: number) => number;
    readonly memorystore_new: () => number;
    readonly memorystore_put: (a: number, b: number, c: number) => number;
    readonly memorystore_size: (a: number) => number;
    readonly parseWebhookEvent: (a: number, b: number) => [number, number, number];
    readonly signWebhookForTest: (a: number, b: number) => [number, number, number, number];
    readonly spotdraftclient_createContract: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_deleteWebhook: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_findContractsByExternalId: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getContractStatus: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getDownloadLink: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getKeyPointers: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getTemplate: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getTemplateMetadata: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_getWebhookHmacKey: (a: number, b: number) => number;
    readonly spotdraftclient_listTemplates: (a: number, b: number) => number;
    readonly spotdraftclient_new: (a: number) => [number, number, number];
    readonly spotdraftclient_registerWebhook: (a: number, b: number, c: number) => number;
    readonly spotdraftclient_sendToCounterparties: (a: number, b: number, c: number) => number;
    readonly syncengine_createContract: (a: number, b: number, c: number) => number;
    readonly syncengine_fetchDocument: (a: number, b: number, c: number) => number;
    readonly syncengine_getRecord: (a: number, b: number) => number;
    readonly syncengine_handleWebhook: (a: number, b: number, c: number, d: number) => number;
    readonly syncengine_new: (a: number, b: number) => [number, number, number];
    readonly syncengine_reconcile: (a: number, b: number) => number;
    readonly syncengine_recordStored: (a: number, b: number, c: number) => number;
    readonly syncengine_resolveOpenIntents: (a: number, b: number) => number;
    readonly syncengine_runPendingActions: (a: number, b: number, c: number) => number;
    readonly syncengine_track: (a: number, b: number) => number;
    readonly validateCreateContract: (a: number, b: number) => [number, number, number];
    readonly validateCreateContractJson: (a: number, b: number) => [number, number, number];
    readonly verifyWebhook: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly verifyWebhookAsync: (a: number, b: number, c: number, d: number) => number;
    readonly verifyWebhookSignature: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly verifyWebhookSignatureAsync: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
