-- 0004: the people list finds each person's latest certificate through this index.
CREATE INDEX certificates_person_valid_to ON certificates(person_id, valid_to);
