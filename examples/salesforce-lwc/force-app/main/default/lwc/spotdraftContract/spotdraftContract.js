// spotdraftContract: on an Opportunity record page, shows the SpotDraft contract created from
// this Opportunity (found by its external id), or the problems that keep the Opportunity from
// becoming one, and creates it.
//
// spotdraft-sync runs here as the static resource `spotdraftsync` (spotdraft-sync/js/iife: the
// Rust core compiled to plain JavaScript, because Lightning Web Security does not allow
// WebAssembly). Its client sends each request through Apex (SpotDraftProxy.send, see
// ./apexFetch.js), which calls SpotDraft through the Named Credential `SpotDraft`.
import { LightningElement, api } from 'lwc';
import { loadScript } from 'lightning/platformResourceLoader';
import SPOTDRAFT_SYNC from '@salesforce/resourceUrl/spotdraftsync';
import send from '@salesforce/apex/SpotDraftProxy.send';
import getOpportunityRecord from '@salesforce/apex/SpotDraftProxy.getOpportunityRecord';
import { APEX_BASE_URL, createApexFetch } from './apexFetch';
import { describeError, prepareCreate } from './contractFlow';
import { OPPORTUNITY_MAPPING } from './opportunityMapping';

// Per attempt; above SpotDraftProxy.TIMEOUT_MS (20 s) plus the Apex round trip, so the client
// never gives up on a create whose Apex callout may still succeed.
const CLIENT_TIMEOUT_MS = 45000;

export default class SpotdraftContract extends LightningElement {
  @api recordId;

  loading = true;
  creating = false;
  errorMessage;
  issues = [];
  contractId;
  contractStatus;
  outcome;

  sd;
  client;
  payload;
  templateMetadata;

  connectedCallback() {
    this.load();
  }

  disconnectedCallback() {
    if (this.client) this.client.free();
    this.client = undefined;
  }

  get hasIssues() {
    return this.issues.length > 0;
  }

  get createDisabled() {
    return this.loading || this.creating || !this.payload || this.hasIssues || Boolean(this.contractId);
  }

  get refreshDisabled() {
    return this.loading || !this.contractId;
  }

  async load() {
    this.loading = true;
    this.errorMessage = undefined;
    try {
      if (!this.sd) {
        await loadScript(this, SPOTDRAFT_SYNC);
        // Under Lightning Web Security the script ran in this namespace's sandbox, whose
        // global object is this component's `window`.
        this.sd = window.SpotDraftSync;
        this.client = new this.sd.SpotDraftClient({ baseUrl: APEX_BASE_URL, fetch: createApexFetch(send), timeoutMs: CLIENT_TIMEOUT_MS });
      }
      const record = JSON.parse(await getOpportunityRecord({ opportunityId: this.recordId }));
      const existing = await this.client.findContractsByExternalId(this.recordId);
      if (existing.length > 0) {
        this.showContract(existing[0]);
        return;
      }
      let prepared = prepareCreate(this.sd, record, OPPORTUNITY_MAPPING);
      if (prepared.payload) {
        this.templateMetadata = await this.client.getTemplateMetadata(prepared.payload.contract_template_id);
        prepared = prepareCreate(this.sd, record, OPPORTUNITY_MAPPING, this.templateMetadata);
      }
      this.payload = prepared.payload;
      this.issues = prepared.issues;
    } catch (error) {
      this.errorMessage = describeError(this.sd, error);
    } finally {
      this.loading = false;
    }
  }

  async handleCreate() {
    this.creating = true;
    this.errorMessage = undefined;
    try {
      // Validated again against the template, then sent exactly once (an ambiguous failure is
      // resolved by looking the contract up by this Opportunity's id).
      const { contract, outcome } = await this.client.createContract(this.payload, { templateMetadata: this.templateMetadata });
      this.outcome = outcome;
      this.showContract(contract);
    } catch (error) {
      this.errorMessage = describeError(this.sd, error);
      if (this.sd.isSpotDraftError(error) && Array.isArray(error.details)) {
        this.issues = error.details.map((d, i) => ({ key: `${i}:${d.path}`, path: d.path, code: d.code || error.code, message: d.message }));
      }
    } finally {
      this.creating = false;
    }
  }

  async handleRefresh() {
    this.errorMessage = undefined;
    try {
      const { contractStatus } = await this.client.getContractStatus(this.contractId);
      this.contractStatus = contractStatus;
    } catch (error) {
      this.errorMessage = describeError(this.sd, error);
    }
  }

  showContract(contract) {
    this.contractId = contract.id;
    this.contractStatus = contract.contractStatus;
    this.issues = [];
  }
}
