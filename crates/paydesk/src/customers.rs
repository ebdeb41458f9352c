//! The customer book: add, search, and the customer a new link is for.

use crate::{
    context::non_empty, context::truncate, error::Result, CustomerMatch, CustomerView, Engine,
    EngineError, NewCustomer, NewLink,
};
use chrono::Utc;
use paydesk_core::{Customer, CustomerId, Email, InputError, PersonName, Phone};

pub(crate) enum NewOrExisting {
    New(Customer),
    Existing(Customer),
}

/// Who a new link is for: the customer record it is filed under (chosen, matched by a
/// phone or an address, or new) and the contact the clerk typed over it — who gets the
/// message and whom the provider is told about. A matched record is changed only when
/// the clerk agreed (`update_customer`).
pub(crate) struct Recipient {
    pub(crate) record: NewOrExisting,
    pub(crate) contact: Customer,
}

impl Recipient {
    /// The record as it will be saved: the typed contact where the clerk agreed to it.
    pub(crate) fn saved(&self, update: bool) -> Option<&Customer> {
        match &self.record {
            NewOrExisting::Existing(c) if update && *c != self.contact => Some(&self.contact),
            _ => None,
        }
    }
}

impl Engine {
    /// Saves a new customer (name, and a phone or an e-mail).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn add_customer(&self, c: NewCustomer) -> Result<CustomerView> {
        let country = self.country().await?;
        let mut errors = Vec::new();
        let name = PersonName::parse("name", &c.name)
            .map_err(|e| errors.push(e))
            .ok();
        let phone = non_empty(&c.phone)
            .and_then(|p| Phone::parse_in(p, country).map_err(|e| errors.push(e)).ok());
        let email =
            non_empty(&c.email).and_then(|e| Email::parse(e).map_err(|err| errors.push(err)).ok());
        let Some(name) = name.filter(|_| errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        let customer = Customer {
            id: CustomerId::generate(),
            name: name.as_str().into(),
            phone: phone.map(|p| p.e164().to_string()),
            email: email.map(|e| e.as_str().to_string()),
            created_at: Utc::now(),
        };
        self.inner.store.insert_customer(&customer).await?;
        Ok(CustomerView::from(&customer))
    }

    /// The customer book, or the customers whose name, phone or e-mail matches `search`.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn customers(&self, search: Option<&str>) -> Result<Vec<CustomerView>> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = search {
            if s.chars().count() > 100 {
                return Err(EngineError::input(
                    "search",
                    "is too long (at most 100 characters)",
                ));
            }
        }
        let list = self.inner.store.customers(search, 1000).await?;
        let ids: Vec<&str> = list.iter().map(|c| c.id.as_str()).collect();
        let mut totals = self.inner.store.customer_totals(&ids).await?;
        Ok(list
            .iter()
            .map(|c| {
                let (invoices, kept) = totals.remove(c.id.as_str()).unwrap_or_default();
                CustomerView {
                    totals: Some(crate::CustomerTotals {
                        invoices,
                        kept: kept
                            .into_iter()
                            .filter_map(|(currency, minor)| {
                                let c = currency.parse().ok()?;
                                Some(paydesk_core::Money::from_minor(minor, c).ok()?.to_display())
                            })
                            .collect(),
                    }),
                    ..CustomerView::from(c)
                }
            })
            .collect())
    }

    /// The saved customer a new link with these typed details would be filed under,
    /// and what the clerk typed differently from it (`None`: a new customer).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn customer_match(&self, l: NewLink) -> Result<Option<CustomerMatch>> {
        let mut ignored = Vec::new();
        let Some(Recipient {
            record: NewOrExisting::Existing(saved),
            contact,
        }) = self.resolve_customer(&l, &mut ignored).await?
        else {
            return Ok(None);
        };
        let differs = [
            ("name", saved.name != contact.name),
            ("phone", saved.phone != contact.phone),
            ("email", saved.email != contact.email),
        ]
        .into_iter()
        .filter(|(_, d)| *d)
        .map(|(f, _)| f.to_string())
        .collect();
        Ok(Some(CustomerMatch {
            customer: CustomerView::from(&saved),
            differs,
        }))
    }

    pub(crate) async fn resolve_customer(
        &self,
        l: &NewLink,
        errors: &mut Vec<InputError>,
    ) -> Result<Option<Recipient>> {
        let country = self.country().await?;
        let phone = non_empty(&l.phone)
            .and_then(|p| Phone::parse_in(p, country).map_err(|e| errors.push(e)).ok());
        let email =
            non_empty(&l.email).and_then(|e| Email::parse(e).map_err(|err| errors.push(err)).ok());
        let name = non_empty(&l.customer_name).and_then(|n| {
            PersonName::parse("customer_name", n)
                .map_err(|e| errors.push(e))
                .ok()
        });
        let phone_s = phone.as_ref().map(|p| p.e164().to_string());
        let email_s = email.as_ref().map(|e| e.as_str().to_string());
        // What the clerk typed goes over the record, field by field.
        let typed = |c: &Customer| Customer {
            name: name
                .as_ref()
                .map(|n| n.as_str().to_string())
                .unwrap_or_else(|| c.name.clone()),
            phone: phone_s.clone().or_else(|| c.phone.clone()),
            email: email_s.clone().or_else(|| c.email.clone()),
            ..c.clone()
        };
        let existing = |c: Customer| {
            Some(Recipient {
                contact: typed(&c),
                record: NewOrExisting::Existing(c),
            })
        };
        if let Some(id) = non_empty(&l.customer_id) {
            return match self.inner.store.customer(id).await? {
                Some(c) => Ok(existing(c)),
                None => {
                    errors.push(
                        InputError::new("customer", format!("no customer {:?}", truncate(id, 40)))
                            .code(paydesk_core::InputCode::NotFound),
                    );
                    Ok(None)
                }
            };
        }
        let new = |c: Customer| {
            Some(Recipient {
                contact: c.clone(),
                record: NewOrExisting::New(c),
            })
        };
        if phone.is_none() && email.is_none() {
            // A name alone (a walk-in customer on a slip) is kept as a new customer.
            return Ok(name.and_then(|n| {
                new(Customer {
                    id: CustomerId::generate(),
                    name: n.as_str().to_string(),
                    phone: None,
                    email: None,
                    created_at: Utc::now(),
                })
            }));
        }
        if let Some(c) = self
            .inner
            .store
            .customer_by_contact(phone_s.as_deref(), email_s.as_deref())
            .await?
        {
            return Ok(existing(c));
        }
        let display_name = name
            .map(|n| n.as_str().to_string())
            .or_else(|| phone.as_ref().map(|p| p.display()))
            .or_else(|| email_s.clone())
            .unwrap_or_default();
        Ok(new(Customer {
            id: CustomerId::generate(),
            name: display_name,
            phone: phone_s,
            email: email_s,
            created_at: Utc::now(),
        }))
    }
}
