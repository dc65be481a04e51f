from .oclip_resnet import OCLIPResNet

__all__ = ['OCLIPResNet']
