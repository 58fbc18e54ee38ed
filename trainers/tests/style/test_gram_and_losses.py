"""Gram matrices and the style-transfer losses against values worked out by hand."""

from __future__ import annotations

import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.vgg import load_vgg
from lensengine_trainers.style.gram import gram_matrix
from lensengine_trainers.style.losses import LossWeights, PerceptualLoss, relative_error, total_variation


class TestGram:
    def test_hand_computed(self):
        # F = [[1, 2], [3, 4]] (2 channels, 1x2 pixels): F F^T = [[5, 11], [11, 25]], divided by C*H*W = 4.
        features = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])
        assert torch.equal(gram_matrix(features), torch.tensor([[[1.25, 2.75], [2.75, 6.25]]]))

    def test_each_image_of_a_batch_on_its_own(self):
        features = torch.randn(3, 4, 5, 6)
        together = gram_matrix(features)
        assert together.shape == (3, 4, 4)
        assert torch.allclose(together[1], gram_matrix(features[1:2])[0])
        assert torch.allclose(together, together.transpose(1, 2))

    def test_independent_of_image_size(self):
        tile = torch.randn(1, 2, 3, 3)
        assert torch.allclose(gram_matrix(tile), gram_matrix(tile.repeat(1, 1, 2, 2)), atol=1e-6)

    def test_bad_shape(self):
        with pytest.raises(LensEngineError, match="N x C x H x W"):
            gram_matrix(torch.zeros(2, 3, 4))


class TestLosses:
    def test_relative_error_by_hand(self):
        # image 1: mean((3-1)^2, (4-2)^2) = 4; mean(1^2, 2^2) = 2.5 -> 1.6; image 2: mean(0, 1) / 1 = 0.5
        # -> mean 1.05
        value, target = torch.tensor([[3.0, 4.0], [1.0, 2.0]]), torch.tensor([[1.0, 2.0], [1.0, 1.0]])
        assert relative_error(value, target).item() == pytest.approx(1.05)

    def test_a_batch_error_is_the_mean_of_its_halves(self):
        value, target = torch.randn(4, 3, 5, 5), torch.randn(4, 3, 5, 5)
        halves = (relative_error(value[:2], target[:2]) + relative_error(value[2:], target[2:])) / 2
        assert relative_error(value, target).item() == pytest.approx(halves.item(), rel=1e-6)

    def test_relative_error_is_scale_free(self):
        value, target = torch.randn(2, 10), torch.randn(2, 10)
        assert relative_error(value * 7, target * 7).item() == pytest.approx(
            relative_error(value, target).item(), rel=1e-5
        )

    def test_total_variation_by_hand(self):
        # [[0, 1], [2, 4]]: horizontal |1-0|, |4-2| -> mean 1.5; vertical |2-0|, |4-1| -> mean 2.5
        assert total_variation(torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])).item() == pytest.approx(4.0)

    def test_weights_are_checked(self):
        with pytest.raises(LensEngineError, match="loss weights"):
            LossWeights(content=-1.0)
        with pytest.raises(LensEngineError):
            LossWeights(content=0.0, style=0.0)


class TestPerceptualLoss:
    @pytest.fixture
    def loss_for(self):
        def build(style, weights=LossWeights(2.0, 3.0, 0.5)):
            net, _ = load_vgg("vgg16", ("relu1_2", "relu2_2"), "random", seed=0)
            return PerceptualLoss(net, style, "relu2_2", ("relu1_2", "relu2_2"), weights)

        return build

    def test_the_style_image_itself_has_no_style_loss(self, loss_for):
        style = torch.rand(1, 3, 24, 24) * 2 - 1
        loss = loss_for(style)
        losses = loss(style, loss.content_target(style))
        assert losses["style"].item() == pytest.approx(0.0, abs=1e-6)
        assert losses["content"].item() == pytest.approx(0.0, abs=1e-6)

    def test_total_is_the_weighted_sum(self, loss_for):
        loss = loss_for(torch.rand(1, 3, 24, 24) * 2 - 1)
        content, images = torch.rand(2, 3, 16, 16) * 2 - 1, torch.rand(2, 3, 16, 16) * 2 - 1
        losses = loss(images, loss.content_target(content))
        expected = 2.0 * losses["content"] + 3.0 * losses["style"] + 0.5 * losses["tv"]
        assert losses["total"].item() == pytest.approx(expected.item(), rel=1e-6)
        assert losses["tv"].item() == pytest.approx(total_variation(images).item())

    def test_style_loss_by_hand(self, loss_for):
        style = torch.rand(1, 3, 20, 20) * 2 - 1
        loss = loss_for(style)
        images = torch.rand(1, 3, 20, 20) * 2 - 1
        features, style_features = loss.vgg(images), loss.vgg(style)
        expected = (
            sum(
                ((gram_matrix(features[k]) - gram_matrix(style_features[k])) ** 2).mean()
                / (gram_matrix(style_features[k]) ** 2).mean()
                for k in ("relu1_2", "relu2_2")
            )
            / 2
        )
        assert loss(images, loss.content_target(images))["style"].item() == pytest.approx(expected.item(), rel=1e-4)

    def test_layers_must_be_extracted(self):
        net, _ = load_vgg("vgg16", ("relu1_2",), "random")
        with pytest.raises(LensEngineError, match="without layer relu2_2"):
            PerceptualLoss(net, torch.zeros(1, 3, 8, 8), "relu2_2", ("relu1_2",), LossWeights())
