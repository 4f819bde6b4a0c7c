// The create-body mapping of an Opportunity for template 1204: a copy of the repository's
// tests/fixtures/mappings/salesforce-opportunity.mapping.json (LWC cannot import a .json file;
// tests/examples/salesforce-lwc.test.mjs checks that the two are equal in this repository). Edit it
// for your template and your org's fields, and keep SpotDraftProxy.OPPORTUNITY_QUERY in step.
export const OPPORTUNITY_MAPPING = {
  "description": "Salesforce Opportunity with its Account -> template 1204. The record is one row of `SELECT Id, Name, Amount, CurrencyIsoCode, CloseDate, StageName, Contract_Term_Months__c, Auto_Renew__c, Notice_Period_Days__c, Service_Countries__c, Payment_Terms__c, Renewal_Review__c, Owner.Name, Owner.Email, Owner.Title, Account.Id, Account.Name, Account.BillingStreet, Account.BillingCity, Account.BillingState, Account.BillingPostalCode, Account.BillingCountry, Account.BillingCountryCode, (SELECT Role, IsPrimary, Contact.FirstName, Contact.LastName, Contact.Email, Contact.Title FROM OpportunityContactRoles WHERE IsPrimary = true), (SELECT Name, Description, TotalPrice FROM OpportunityLineItems) FROM Opportunity` as the REST query endpoint returns it. Custom fields (__c) are this org's.",
  "fields": [
    {
      "target": "contract_template_id",
      "const": 1204
    },
    {
      "target": "contract_name",
      "source": "Name"
    },
    {
      "target": "contract_data.agreement_date",
      "source": "CloseDate",
      "transform": [
        {
          "op": "DATE"
        }
      ]
    },
    {
      "target": "contract_data.renewal_review_at",
      "source": "Renewal_Review__c",
      "optional": true,
      "transform": [
        {
          "op": "DATETIME"
        }
      ]
    },
    {
      "target": "contract_data.customer_name",
      "source": "Account.Name"
    },
    {
      "target": "contract_data.billing_currency",
      "currency": {
        "code": {
          "source": "CurrencyIsoCode",
          "default": "USD"
        },
        "value": {
          "source": "Amount"
        }
      }
    },
    {
      "target": "contract_data.subscription_term",
      "duration": {
        "unit": {
          "const": "MONTHS"
        },
        "value": {
          "source": "Contract_Term_Months__c"
        }
      }
    },
    {
      "target": "contract_data.auto_renewal",
      "source": "Auto_Renew__c",
      "transform": [
        {
          "op": "BOOLEAN"
        }
      ],
      "default": false
    },
    {
      "target": "contract_data.notice_period_days",
      "source": "Notice_Period_Days__c",
      "transform": [
        {
          "op": "INTEGER"
        }
      ]
    },
    {
      "target": "contract_data.service_countries",
      "source": "Service_Countries__c",
      "optional": true,
      "transform": [
        {
          "op": "SPLIT",
          "separator": ";"
        }
      ]
    },
    {
      "target": "contract_data.billing_address.line_one",
      "source": "Account.BillingStreet"
    },
    {
      "target": "contract_data.billing_address.city",
      "source": "Account.BillingCity"
    },
    {
      "target": "contract_data.billing_address.state",
      "source": "Account.BillingState",
      "optional": true
    },
    {
      "target": "contract_data.billing_address.country",
      "source": "Account.BillingCountry"
    },
    {
      "target": "contract_data.billing_address.zipcode",
      "source": "Account.BillingPostalCode",
      "optional": true
    },
    {
      "target": "contract_data.pricing_schedule",
      "each": "OpportunityLineItems.records",
      "optional": true,
      "fields": [
        {
          "target": "milestone",
          "source": "Description",
          "default": "Line item"
        },
        {
          "target": "amount",
          "currency": {
            "code": {
              "source": "$.CurrencyIsoCode",
              "default": "USD"
            },
            "value": {
              "source": "TotalPrice"
            }
          }
        }
      ]
    },
    {
      "target": "contract_data.payment_terms",
      "source": "Payment_Terms__c",
      "optional": true,
      "transform": [
        {
          "op": "LOOKUP",
          "table": {
            "Annual": "annual_invoice",
            "Quarterly": "quarterly_invoice",
            "Card": "monthly_card"
          }
        }
      ]
    },
    {
      "target": "counter_party_details[0].is_individual",
      "const": false
    },
    {
      "target": "counter_party_details[0].organization_type",
      "source": "Account.Type",
      "transform": [
        {
          "op": "LOOKUP",
          "table": {
            "Customer - Direct": "company",
            "Customer - Channel": "company",
            "Partner": "partner"
          },
          "default": "company"
        }
      ]
    },
    {
      "target": "counter_party_details[0].organization_name",
      "source": "Account.Name"
    },
    {
      "target": "counter_party_details[0].poc_details.first_name",
      "source": "OpportunityContactRoles.records[0].Contact.FirstName"
    },
    {
      "target": "counter_party_details[0].poc_details.last_name",
      "source": "OpportunityContactRoles.records[0].Contact.LastName",
      "optional": true
    },
    {
      "target": "counter_party_details[0].poc_details.email",
      "source": "OpportunityContactRoles.records[0].Contact.Email",
      "transform": [
        {
          "op": "TRIM"
        },
        {
          "op": "LOWER"
        }
      ]
    },
    {
      "target": "counter_party_details[0].organization_details.jurisdiction_iso_code",
      "source": "Account.BillingCountryCode"
    },
    {
      "target": "counter_party_details[0].organization_details.address.line_one",
      "source": "Account.BillingStreet"
    },
    {
      "target": "counter_party_details[0].organization_details.address.city",
      "source": "Account.BillingCity"
    },
    {
      "target": "counter_party_details[0].organization_details.address.state",
      "source": "Account.BillingState",
      "optional": true
    },
    {
      "target": "counter_party_details[0].organization_details.address.country",
      "source": "Account.BillingCountry",
      "optional": true
    },
    {
      "target": "counter_party_details[0].organization_details.address.country_iso_code",
      "source": "Account.BillingCountryCode",
      "transform": [
        {
          "op": "UPPER"
        }
      ]
    },
    {
      "target": "counter_party_details[0].organization_details.address.zipcode",
      "source": "Account.BillingPostalCode",
      "optional": true
    },
    {
      "target": "signatories[0].name",
      "concat": [
        {
          "source": "OpportunityContactRoles.records[0].Contact.FirstName"
        },
        {
          "source": "OpportunityContactRoles.records[0].Contact.LastName",
          "optional": true
        }
      ],
      "separator": " "
    },
    {
      "target": "signatories[0].email",
      "source": "OpportunityContactRoles.records[0].Contact.Email",
      "transform": [
        {
          "op": "TRIM"
        },
        {
          "op": "LOWER"
        }
      ]
    },
    {
      "target": "signatories[0].title",
      "source": "OpportunityContactRoles.records[0].Contact.Title",
      "optional": true
    },
    {
      "target": "signatories[0].is_counterparty_signatory",
      "const": true
    },
    {
      "target": "signatories[0].counterparty_name",
      "source": "Account.Name"
    },
    {
      "target": "signatories[0].sign_order",
      "const": 1
    },
    {
      "target": "signatories[1].name",
      "source": "Owner.Name"
    },
    {
      "target": "signatories[1].email",
      "source": "Owner.Email"
    },
    {
      "target": "signatories[1].title",
      "source": "Owner.Title",
      "optional": true
    },
    {
      "target": "signatories[1].is_counterparty_signatory",
      "const": false
    },
    {
      "target": "signatories[1].sign_order",
      "const": 2
    },
    {
      "target": "external_metadata.id",
      "source": "Id"
    },
    {
      "target": "external_metadata.integration_name",
      "const": "Salesforce"
    },
    {
      "target": "external_metadata.record_type",
      "source": "attributes.type"
    },
    {
      "target": "external_metadata.record_data.stage",
      "source": "StageName"
    },
    {
      "target": "external_metadata.record_data.account_id",
      "source": "Account.Id"
    }
  ]
};
